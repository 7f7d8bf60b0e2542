package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os/exec"
	"path/filepath"
	"strings"
)

// errNoRef means the base ref does not name a commit.
var errNoRef = errors.New("not found")

// specAt returns the content of the file spec at git ref; found is false when the ref
// exists but the file did not.
func specAt(ctx context.Context, ref, spec string) (data []byte, found bool, err error) {
	dir, file := filepath.Split(spec)
	if dir == "" {
		dir = "."
	}
	if strings.HasPrefix(ref, "-") {
		return nil, false, fmt.Errorf("base ref %q: %w", ref, errNoRef)
	}
	if _, err := git(ctx, dir, "rev-parse", "--verify", "--quiet", "--end-of-options", ref+"^{commit}"); err != nil {
		if _, repoErr := git(ctx, dir, "rev-parse", "--git-dir"); repoErr != nil {
			return nil, false, repoErr
		}
		return nil, false, fmt.Errorf("base ref %q: %w", ref, errNoRef)
	}
	obj := ref + ":./" + file // ./ is relative to dir
	if _, err := git(ctx, dir, "cat-file", "-e", obj); err != nil {
		return nil, false, nil
	}
	data, err = git(ctx, dir, "cat-file", "blob", obj)
	return data, err == nil, err
}

func git(ctx context.Context, dir string, args ...string) ([]byte, error) {
	cmd := exec.CommandContext(ctx, "git", append([]string{"-C", dir}, args...)...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		msg := strings.TrimSpace(stderr.String())
		if msg == "" {
			msg = err.Error()
		}
		return nil, fmt.Errorf("git %s: %s", strings.Join(args, " "), msg)
	}
	return out, nil
}
