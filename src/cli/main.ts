import { Command, InvalidArgumentError } from 'commander';
import { GatewayConfigError } from '../gateway/config.js';
import { StateDirError } from '../state/state-dir.js';
import { TracingConfigError } from '../telemetry/tracing-config.js';
import { MissingToolError } from '../tools/find-tool.js';
import { catalogOption } from './catalog-option.js';
import { CliExit } from './exit.js';
import { gatewayCommand } from './gateway.js';
import { controlPlaneCommand } from './control-plane.js';
import { generateCommand } from './generate.js';
import { chaosListCommand, chaosRollbackCommand, chaosRunCommand, chaosValidateCommand } from './chaos.js';
import { costReportCommand } from './cost.js';
import { k8sUpCommand } from './k8s.js';
import { sloStatusCommand } from './slo-status.js';
import { loadtestCommand } from './loadtest.js';
import { simulateCommand } from './simulate.js';
import { COMPONENTS, DEFAULT_STATUS_INTERVAL_SECONDS, DEFAULT_TRAFFIC_PROFILE, DEFAULT_TRAFFIC_SCALE, upCommand } from './up.js';
import { validateCommand } from './validate.js';

function port(value: string): number {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 0 || parsed > 65535) throw new InvalidArgumentError('must be a port number from 0 to 65535');
  return parsed;
}

function seconds(value: string): number {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 0 || parsed > 3600) throw new InvalidArgumentError('must be a whole number of seconds from 0 to 3600');
  return parsed;
}

function share(value: string): number {
  const parsed = Number(value);
  if (!Number.isFinite(parsed) || parsed <= 0 || parsed > 100) throw new InvalidArgumentError('must be a number above 0, such as 0.05 for 5 % of the profile\'s rates');
  return parsed;
}

const program = new Command()
  .name('sre')
  .description('PyAirtable SRE control plane: gateway, simulator, SLO catalog and the observability around them.')
  .showHelpAfterError();

program
  .command('simulate')
  .description('serve every service of the catalog on its upstream port, with a fault API')
  .addOption(catalogOption())
  .action(simulateCommand);

program
  .command('gateway')
  .description('run the instrumented API gateway in front of the catalog services')
  .addOption(catalogOption())
  .option('-p, --port <port>', 'listen port (default: the catalog gateway.listen port)', port)
  .option('--host <host>', 'listen address (default: the catalog gateway.listen host)')
  .action(gatewayCommand);

program
  .command('generate')
  .description('generate rules, alerts, tests, runbooks, Alertmanager config, thresholds and manifests from the catalog')
  .addOption(catalogOption())
  .option('--check', 'change nothing; exit 1 when any generated file is out of date')
  .action(generateCommand);

program
  .command('validate')
  .description('check the generated output with promtool, amtool and the live /metrics contract')
  .addOption(catalogOption())
  .action(validateCommand);

program
  .command('loadtest')
  .description('drive a traffic profile of the catalog through the gateway and judge it against the SLOs; exit 0 held, 1 broke, 2 could not judge')
  .argument('<profile>', 'a profile of the catalog\'s traffic section: smoke, load, stress, spike, soak, capacity')
  .addOption(catalogOption())
  .option('-t, --target <url>', 'the gateway to load (default: the catalog gateway.listen)')
  .option('--gate', 'stop at the first SLO that breaks, after 10 s (k6\'s abortOnFail with delayAbortEval)')
  .option('-o, --out <dir>', 'write report.json, k6-summary.json, junit.xml and report.md here')
  .option('--prometheus <url>', 'also judge from the gateway\'s own SLIs in this Prometheus')
  .option('--api-key-file <file>', 'the API key for api_key requests (default: $SRE_LOADTEST_API_KEY_FILE, else the local stack\'s)')
  .option('--password-file <file>', 'the load-test users\' password (default: $SRE_LOADTEST_PASSWORD_FILE, else random)')
  .option('--control-plane <url>', 'POST the report to this control plane (default: $SRE_CONTROL_PLANE_URL)')
  .option('--control-plane-key-file <file>', 'an API key with the control plane\'s operator role (default: $SRE_CONTROL_PLANE_KEY_FILE, else the --api-key-file key)')
  .action(loadtestCommand);

program
  .command('control-plane')
  .description('SLO status, incidents from Alertmanager and PagerDuty with response times, reports and a status page')
  .addOption(catalogOption())
  .option('-p, --port <port>', 'listen port (default: the port of the catalog alerting.control_plane_webhook_url)', port)
  .option('--host <host>', 'listen address (default: the host of that URL)')
  .option('--prometheus <url>', 'the Prometheus with the generated rules (default: the catalog stack.prometheus)')
  .option('--data-dir <dir>', 'SQLite storage (default: $SRE_DATA_DIR, else the state directory\'s control-plane/)')
  .option('--database-url <url>', 'PostgreSQL storage, for several replicas (default: $SRE_DATABASE_URL)')
  .option('--webhook-token-file <file>', 'the bearer token Alertmanager sends (default: generated in the state directory)')
  .option('--pagerduty-secret-file <file>', 'PagerDuty\'s webhook signing secret (default: generated in the state directory)')
  .action(controlPlaneCommand);

program
  .command('slo')
  .description('the SLOs')
  .command('status')
  .description('every SLO\'s SLI over 5m, 1h, 1d and its period, budget left, burn rates and firing alerts')
  .addOption(catalogOption())
  .option('--prometheus <url>', 'the Prometheus with the generated rules (default: the catalog stack.prometheus)')
  .option('--json', 'print JSON, for scripts')
  .action(sloStatusCommand);

program
  .command('cost')
  .description('cost against the consolidation target')
  .command('report')
  .description('monthly cost per component against the 22-service baseline and the target, with cost per 1,000 requests; exit 0 met, 1 not met, 2 inputs missing or inconsistent')
  .addOption(catalogOption())
  .option('--opencost <url>', 'OpenCost\'s API (its /allocation/compute, by controller): its totals as they are')
  .option('--kubernetes', 'else the Kubernetes API: Deployments and StatefulSets labelled with their component, replicas x requests')
  .option('--kubeconfig <file>', 'with --kubernetes: the kubeconfig (default: $KUBECONFIG, ~/.kube/config or in-cluster)')
  .option('--namespace <name>', 'only this namespace (OpenCost and Kubernetes)')
  .option('--prometheus <url>', 'the gateway\'s request counters for cost per 1,000 requests, and container usage for max(request, usage)')
  .option('--window <duration>', 'the window of OpenCost, usage and requests', '7d')
  .option('--json', 'print the versioned JSON report, for scripts')
  .option('--markdown [file]', 'print (or write to a file) a Markdown report with a chart')
  .action(costReportCommand);

const chaos = program.command('chaos').description('chaos experiments that prove the SLOs hold (chaos/*.yaml)');
chaos.command('list').description('the experiments in chaos/, validated').addOption(catalogOption()).action(chaosListCommand);
chaos.command('validate <file>').description('check an experiment against its schema and the catalog; exit 2 naming every problem').addOption(catalogOption()).action(chaosValidateCommand);
chaos
  .command('run <file>')
  .description('steady state, faults, rollback (always), recovery; a journal and a Markdown report; exit 0 the hypothesis held, 1 it did not, 2 it could not run')
  .addOption(catalogOption())
  .option('--dry-run', 'check the steady state and print what would be injected and how it would be undone; inject nothing')
  .option('--gateway <url>', 'the gateway to drive --traffic through and, without --prometheus, whose /metrics give the SLIs (default: the catalog\'s gateway.listen)')
  .option('--prometheus <url>', 'read the SLIs (every gateway replica) and the alerts that fire from this Prometheus; needed by experiments that expect alerts')
  .option('--simulator-admin <url>', 'the simulator\'s fault API (default: the catalog\'s simulator.admin)')
  .option('--toxiproxy <url>', 'Toxiproxy\'s API, for network faults between the gateway and the services (default: the catalog\'s stack.toxiproxy when sre up puts it in the path)')
  .option('--kubeconfig <file>', 'the cluster for Kubernetes and Chaos Mesh actions (default: $KUBECONFIG, ~/.kube/config, or the pod\'s service account); --dry-run uses its server-side dry run')
  .option('--traffic [share]', `drive the catalog's ${DEFAULT_TRAFFIC_PROFILE} profile at this share of its rates through the gateway while it runs (default ${DEFAULT_TRAFFIC_SCALE})`)
  .option('--control-plane <url>', 'POST the report to the control plane')
  .option('--control-plane-key-file <file>', 'an operator API key for --control-plane (default: the state directory\'s api-keys.json)')
  .action(chaosRunCommand);
chaos.command('rollback [journal]').description('undo what a killed run left injected (every pending journal in the state directory without an argument)').action(chaosRollbackCommand);

program
  .command('k8s')
  .description('a local Kubernetes API server')
  .command('up')
  .description('start etcd and kube-apiserver on loopback with the CRDs the manifests use; prints the kubeconfig; Ctrl-C stops it')
  .option('--no-crds', 'do not install the CRDs in deploy/kubernetes/crds (PrometheusRule, ServiceMonitor, ScaledObject, Chaos Mesh\'s)')
  .action(k8sUpCommand);

program
  .command('up')
  .description('start the local stack (Jaeger, collector, simulator, gateway, Alertmanager, Prometheus), print its URLs and a status line; Ctrl-C stops it')
  .addOption(catalogOption())
  .option('--only <components>', `start only these, comma-separated: ${COMPONENTS.join(', ')}`)
  .option('--status-interval <seconds>', 'seconds between status lines (health, gateway traffic, firing alerts); 0 turns them off', seconds, DEFAULT_STATUS_INTERVAL_SECONDS)
  .option('--traffic [profile]', `keep a low, realistic load of a traffic profile running through the gateway (default profile: ${DEFAULT_TRAFFIC_PROFILE})`)
  .option('--traffic-scale <share>', `the share of the profile's rates to offer (default ${DEFAULT_TRAFFIC_SCALE})`, share)
  .action(upCommand);

try {
  await program.parseAsync(process.argv);
} catch (error) {
  if (error instanceof CliExit) {
    process.stderr.write(`${error.message}\n`);
    process.exit(error.code);
  }
  if (error instanceof MissingToolError) {
    process.stderr.write(`${error.message}\n`);
    process.exit(2);
  }
  if (error instanceof GatewayConfigError || error instanceof TracingConfigError || error instanceof StateDirError) {
    process.stderr.write(`configuration error: ${error.message}\n`);
    process.exit(2);
  }
  if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') {
    const { address, port: busy } = error as { address?: string; port?: number };
    process.stderr.write(`cannot listen on ${address ?? ''}:${busy ?? ''}: the port is already in use\n`);
    process.exit(2);
  }
  throw error;
}
