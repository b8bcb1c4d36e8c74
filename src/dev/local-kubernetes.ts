import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { freePorts } from '../net/free-ports.js';
import { findTool } from '../tools/find-tool.js';
import { startLocalServer, type LocalServer } from './local-server.js';

export interface RunningKubernetes {
  /** The API server's URL (HTTPS on loopback, a certificate it made for itself). */
  readonly server: string;
  /** A kubeconfig for a cluster admin (group system:masters, token authentication). */
  readonly kubeconfig: string;
  /** A user the API server knows but no RBAC rule grants anything: for checking that RBAC is on. */
  readonly unprivilegedToken: string;
  stop(): Promise<void>;
}

/** kube-apiserver takes longer than the others to be ready: it installs its built-in objects first. */
const API_SERVER_READY_MS = 90_000;

/**
 * A real Kubernetes API server for the tests and for `sre k8s up`: etcd and kube-apiserver (built by
 * scripts/setup) on loopback, with a generated service-account key, a static token file and RBAC.
 * No scheduler, controllers or nodes: objects are stored and validated, nothing runs. `dir` keeps
 * its state; a temporary directory, removed on stop, by default.
 */
export async function startKubernetes(dir?: string): Promise<RunningKubernetes> {
  const root = dir ?? mkdtempSync(join(tmpdir(), 'sre-k8s-'));
  mkdirSync(join(root, 'pki'), { recursive: true, mode: 0o700 });
  const [etcdPort = 0, etcdPeerPort = 0, apiPort = 0] = await freePorts(3);
  const etcdUrl = `http://127.0.0.1:${etcdPort}`;
  const etcd = await startLocalServer('etcd', findTool('etcd'), [
    '--name=default', `--data-dir=${join(root, 'etcd')}`,
    `--listen-client-urls=${etcdUrl}`, `--advertise-client-urls=${etcdUrl}`,
    `--listen-peer-urls=http://127.0.0.1:${etcdPeerPort}`, `--initial-advertise-peer-urls=http://127.0.0.1:${etcdPeerPort}`,
    `--initial-cluster=default=http://127.0.0.1:${etcdPeerPort}`,
    // A test rig: its data is thrown away, so it need not wait for the disk.
    '--unsafe-no-fsync', '--log-level=error',
  ], `${etcdUrl}/health`);

  const serviceAccount = generateKeyPairSync('rsa', { modulusLength: 2048 });
  writeFileSync(join(root, 'pki', 'service-account.key'), serviceAccount.privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
  writeFileSync(join(root, 'pki', 'service-account.pub'), serviceAccount.publicKey.export({ type: 'spki', format: 'pem' }));
  const adminToken = randomBytes(24).toString('base64url');
  const unprivilegedToken = randomBytes(24).toString('base64url');
  writeFileSync(join(root, 'pki', 'tokens.csv'), `${adminToken},admin,admin,"system:masters"\n${unprivilegedToken},nobody,nobody\n`, { mode: 0o600 });

  const server = `https://127.0.0.1:${apiPort}`;
  // kube-apiserver makes itself a CA and a serving certificate for 127.0.0.1 in --cert-dir.
  const servingCertificate = join(root, 'pki', 'apiserver.crt');
  let apiServer: LocalServer;
  try {
    apiServer = await startLocalServer('kube-apiserver', findTool('kube-apiserver'), [
      `--etcd-servers=${etcdUrl}`,
      '--bind-address=127.0.0.1', '--advertise-address=127.0.0.1', `--secure-port=${apiPort}`,
      // The kubernetes Service's endpoint may not be a loopback address; nothing here needs it.
      '--endpoint-reconciler-type=none',
      `--cert-dir=${join(root, 'pki')}`,
      `--service-account-key-file=${join(root, 'pki', 'service-account.pub')}`,
      `--service-account-signing-key-file=${join(root, 'pki', 'service-account.key')}`,
      '--service-account-issuer=https://kubernetes.default.svc.cluster.local',
      `--token-auth-file=${join(root, 'pki', 'tokens.csv')}`,
      '--authorization-mode=RBAC',
      '--service-cluster-ip-range=10.96.0.0/16',
      '--enable-priority-and-fairness=false', '--profiling=false', '--v=0',
    ], () => (existsSync(servingCertificate) ? ready(`${server}/readyz`, readFileSync(servingCertificate), adminToken) : Promise.resolve(false)), API_SERVER_READY_MS);
  } catch (error) {
    await etcd.stop();
    throw error;
  }

  const kubeconfig = join(root, 'kubeconfig');
  writeFileSync(kubeconfig, stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'sre-local', cluster: { server, 'certificate-authority-data': readFileSync(servingCertificate).toString('base64') } }],
    users: [{ name: 'admin', user: { token: adminToken } }],
    contexts: [{ name: 'sre-local', context: { cluster: 'sre-local', user: 'admin' } }],
    'current-context': 'sre-local',
  }), { mode: 0o600 });

  return {
    server,
    kubeconfig,
    unprivilegedToken,
    async stop() {
      await apiServer.stop();
      await etcd.stop();
      if (dir === undefined) rmSync(root, { recursive: true, force: true });
    },
  };
}

/** Whether `url` answers 200 over TLS with this CA and token. */
function ready(url: string, ca: Buffer, token: string): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = request(url, { ca, headers: { authorization: `Bearer ${token}` }, timeout: 2_000 }, (response) => {
      response.resume();
      resolve(response.statusCode === 200);
    });
    probe.on('error', () => {
      resolve(false);
    });
    probe.on('timeout', () => {
      probe.destroy();
    });
    probe.end();
  });
}
