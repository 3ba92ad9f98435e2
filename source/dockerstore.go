package source

import (
	"context"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/moby/moby/client"
)

// containerdSnapshotter is the driver-type Docker reports in DriverStatus
// when it keeps images in containerd's image store (the default since
// Docker Engine 29, and in Docker Desktop).
const containerdSnapshotter = "io.containerd.snapshotter.v1"

// fromContainerdStore reads image id of a Docker daemon that keeps its
// images in containerd straight from containerd's content store, when
// the socket Docker names is there and answers: there the blobs are as
// pulled, and `docker save` would only copy them (and fails on platform
// mismatches). ok is false when that is not possible, and the caller
// falls back to the save; errors past that point are the image's own.
func (d daemon) fromContainerdStore(ctx context.Context, c *client.Client, ref, id string, opts Options) (img v1.Image, ok bool, err error) {
	res, err := c.Info(ctx, client.InfoOptions{})
	if err != nil {
		return nil, false, nil
	}
	info := res.Info
	snapshotter := false
	for _, kv := range info.DriverStatus {
		if kv[0] == "driver-type" && kv[1] == containerdSnapshotter {
			snapshotter = true
		}
	}
	if !snapshotter {
		return nil, false, nil
	}
	addr, ns := containerdSocket(), "moby"
	if info.Containerd != nil {
		if info.Containerd.Address != "" {
			addr = info.Containerd.Address
		}
		if info.Containerd.Namespaces.Containers != "" {
			ns = info.Containerd.Namespaces.Containers
		}
	}
	cc, err := dialContainerd(ctx, addr) // fails, too, where the socket is not ours to read
	if err != nil {
		return nil, false, nil
	}
	nctx := withNamespace(ctx, ns)
	target, err := cc.byTarget(nctx, ns, id)
	if err != nil {
		cc.Close()
		return nil, false, nil
	}
	origin := Origin{Kind: d.kind, Endpoint: d.host + ", read from its containerd store at unix://" + addr + ", namespace " + ns}
	img, err = cc.openTarget(ctx, nctx, ref, origin, target, opts)
	return img, true, err
}
