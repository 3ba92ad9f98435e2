package source

import (
	"context"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"

	containersapi "github.com/containerd/containerd/api/services/containers/v1"
	snapshotsapi "github.com/containerd/containerd/api/services/snapshots/v1"
	tasksapi "github.com/containerd/containerd/api/services/tasks/v1"
	"github.com/containerd/containerd/api/types"
	"github.com/containerd/containerd/api/types/task"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// containerdNameLabels are the labels that give a containerd container a
// name people know it by, most telling first: Kubernetes' (through CRI)
// and nerdctl's. A container created by ctr has only its ID.
var containerdNameLabels = []string{"io.kubernetes.container.name", "nerdctl/name"}

// openContainerdContainer reads container [NAMESPACE/]ID of containerd:
// its image from the content store, and on top the upper directory of
// its snapshot's overlay mount, read from the disk as the writable layer.
// Nothing runs and nothing is mounted.
func openContainerdContainer(ctx context.Context, ref, rest string, opts Options) (v1.Image, ContainerInfo, error) {
	var found bool
	return readContainerdContainer(ctx, ref, rest, opts, &found)
}

// autoContainerdContainer looks for container ref in containerd after
// docker and podman, for OpenContainer with auto: only when a socket is
// there. passed says containerd was passed over: err is then its "not
// found", or nil with miss saying why it was not asked.
func autoContainerdContainer(ctx context.Context, ref string, opts Options) (img v1.Image, info ContainerInfo, passed bool, miss string, err error) {
	addr := containerdSocket()
	if _, err := os.Stat(addr); err != nil {
		return nil, info, true, "no containerd socket", nil
	}
	var found bool
	img, info, err = readContainerdContainer(ctx, ref, ref, opts, &found)
	switch {
	case found:
	case errors.Is(err, os.ErrPermission):
		return nil, info, true, "containerd socket " + addr + " not open to this user", nil
	case errors.Is(err, ErrUnavailable):
		return nil, info, true, "containerd not running at " + addr, nil
	case errors.Is(err, ErrNotFound):
		return nil, info, true, "not in containerd", err
	}
	return img, info, false, "", err
}

// readContainerdContainer is openContainerdContainer; it sets found once
// containerd has answered that it has the container.
func readContainerdContainer(ctx context.Context, ref, rest string, opts Options, found *bool) (v1.Image, ContainerInfo, error) {
	c, err := dialContainerd(ctx, containerdSocket())
	if err != nil {
		return nil, ContainerInfo{}, err
	}
	// The base image streams from containerd: on success the connection
	// stays open with the image, closed with it.
	ok := false
	defer func() {
		if !ok {
			c.Close()
		}
	}()
	ns, id := c.splitNamespace(rest)
	nctx := withNamespace(ctx, ns)
	info := ContainerInfo{ID: id, Name: id, Origin: c.origin(ns)}
	res, err := containersapi.NewContainersClient(c.conn).Get(nctx, &containersapi.GetContainerRequest{ID: id})
	if status.Code(err) == codes.NotFound {
		others := slices.DeleteFunc(slices.Clone(c.spaces), func(s string) bool { return s == ns })
		hint := ""
		if len(others) > 0 {
			hint = " (other namespaces: " + strings.Join(others, ", ") + "; write containerd://NAMESPACE/" + id + ")"
		}
		return nil, info, markErr(ErrNotFound, nil, fmt.Sprintf("container %s is not in containerd namespace %s at %s%s", id, ns, c.addr, hint))
	} else if err != nil {
		if ctx.Err() != nil {
			return nil, info, ctx.Err()
		}
		return nil, info, fmt.Errorf("container %s in containerd namespace %s: %w", id, ns, err)
	}
	*found = true
	ct := res.Container
	for _, l := range containerdNameLabels {
		if n := ct.Labels[l]; n != "" {
			info.Name = n
			break
		}
	}
	info.ImageRef = ct.Image
	info.State = containerdState(nctx, c, id)
	if ct.SnapshotKey == "" {
		return nil, info, fmt.Errorf("container %s in containerd has no snapshot (its root filesystem is a path of its own): %w", id, ErrUnsupported)
	}
	if ct.Image == "" {
		return nil, info, fmt.Errorf("container %s in containerd names no image: %w", id, ErrUnsupported)
	}
	mres, err := snapshotsapi.NewSnapshotsClient(c.conn).Mounts(nctx, &snapshotsapi.MountsRequest{Snapshotter: ct.Snapshotter, Key: ct.SnapshotKey})
	if err != nil {
		if ctx.Err() != nil {
			return nil, info, ctx.Err()
		}
		return nil, info, fmt.Errorf("mounts of snapshot %s (%s) of container %s: %w", ct.SnapshotKey, ct.Snapshotter, id, err)
	}
	upper, lowers, err := overlayDirs(mres.Mounts)
	if err != nil {
		return nil, info, fmt.Errorf("container %s: its snapshot %s (snapshotter %s) %w", id, ct.SnapshotKey, ct.Snapshotter, err)
	}
	if _, err := os.ReadDir(upper); err != nil {
		if errors.Is(err, os.ErrPermission) {
			return nil, info, fmt.Errorf("container %s: its writable layer %s is not readable by this user (run strata as root): %w", id, upper, err)
		}
		return nil, info, fmt.Errorf("container %s: reading its writable layer %s: %w", id, upper, err)
	}

	target, err := c.lookup(nctx, ns, ct.Image)
	if err != nil {
		return nil, info, fmt.Errorf("image of container %s: %w", id, err)
	}
	info.Image = target.Digest.String()
	opts.used(info.Origin)
	opts.Platform = "" // the container's image is the host's, as it runs
	base, err := resolveContainerd(ctx, &contentStore{ctx: nctx, content: c.content}, target, "containerd://"+ns+"/"+ct.Image, opts)
	if err != nil {
		return nil, info, fmt.Errorf("image of container %s: %w", id, err)
	}
	l, counts, err := upperLayer(ctx, upper, lowers)
	if err != nil {
		return nil, info, fmt.Errorf("reading the writable layer %s of container %s: %w", upper, id, err)
	}
	info.Added, info.Changed, info.Deleted = counts.added, counts.changed, counts.deleted
	img, n, err := withWritableLayer(base, l, info.Name, id)
	if err != nil {
		l.release()
		return nil, info, fmt.Errorf("adding the writable layer of %s: %w", ref, err)
	}
	info.Layer = n
	ok = true
	return &closingImage{Image: img, close: func() error { return errors.Join(c.Close(), l.release()) }}, info, nil
}

// overlayDirs finds the upper and lower directories of a snapshot's
// mounts: one overlay mount with an upperdir= option. Anything else (the
// bind mount of a snapshot with no parent, another snapshotter's kind)
// is named in the error.
func overlayDirs(mounts []*types.Mount) (upper string, lowers []string, err error) {
	if len(mounts) != 1 || mounts[0].Type != "overlay" {
		var found []string
		for _, m := range mounts {
			found = append(found, m.Type+" "+m.Source)
		}
		if len(found) == 0 {
			found = []string{"nothing"}
		}
		return "", nil, fmt.Errorf("mounts as %s, not as one overlay with an upperdir; strata reads only an overlay snapshot's upper directory: %w",
			strings.Join(found, ", "), ErrUnsupported)
	}
	for _, o := range mounts[0].Options {
		if v, ok := strings.CutPrefix(o, "upperdir="); ok {
			upper = v
		}
		if v, ok := strings.CutPrefix(o, "lowerdir="); ok {
			lowers = strings.Split(v, ":")
		}
	}
	if upper == "" {
		return "", nil, fmt.Errorf("mounts as a read-only overlay (no upperdir=): %w", ErrUnsupported)
	}
	return upper, lowers, nil
}

// containerdState is the container's task's status, lower case as docker
// writes states, or "created" when it has no task (never started, or
// deleted after it ended).
func containerdState(ctx context.Context, c *containerdConn, id string) string {
	res, err := tasksapi.NewTasksClient(c.conn).Get(ctx, &tasksapi.GetRequest{ContainerID: id})
	if status.Code(err) == codes.NotFound {
		return "created"
	}
	if err != nil || res.Process == nil || res.Process.Status == task.Status_UNKNOWN {
		return "unknown"
	}
	return strings.ToLower(res.Process.Status.String())
}
