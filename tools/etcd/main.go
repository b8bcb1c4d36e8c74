// Command etcd is etcd v3.7.3 built from its Go module: the server the project's Kubernetes test
// rig starts under kube-apiserver.
package main

import (
	"os"

	"go.etcd.io/etcd/server/v3/etcdmain"
)

func main() {
	etcdmain.Main(os.Args)
}
