package main

import (
	"fmt"
	"io"
	"os"
)

// Size caps for what raygate reads. A file or response over its cap is
// refused whole (never truncated and parsed), so a runaway or hostile source
// cannot make raygate allocate without bound.
const (
	DefaultMaxBundleBytes = 16 << 20
	MaxTokenFileBytes     = 4 << 20
	MaxJWKSBytes          = 1 << 20
	MaxSignatureBytes     = 4 << 10
)

// ReadFileCapped reads the regular file at path (symbolic links followed, as
// Kubernetes ConfigMap mounts need), refusing devices, FIFOs, directories and
// anything over limit bytes. It reads at most limit+1 bytes, so a file that
// grows while it is read is still refused rather than read without end.
func ReadFileCapped(path string, limit int64) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	st, err := f.Stat() // of the opened file, so a swap after Open cannot fool it
	if err != nil {
		return nil, err
	}
	if !st.Mode().IsRegular() {
		return nil, fmt.Errorf("%s: not a regular file (%s)", path, st.Mode().Type())
	}
	if st.Size() > limit {
		return nil, fmt.Errorf("%s: %d bytes, over the limit of %d", path, st.Size(), limit)
	}
	return readCapped(f, limit, path)
}

// readCapped reads r to the end, or fails once it has seen more than limit
// bytes.
func readCapped(r io.Reader, limit int64, what string) ([]byte, error) {
	data, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > limit {
		return nil, fmt.Errorf("%s: over the limit of %d bytes", what, limit)
	}
	return data, nil
}
