package main

import (
	"crypto/tls"
	"fmt"
	"os"
	"sync"
	"time"
)

// CertReloader serves the certificate in CertFile/KeyFile and loads it again
// when either file changes (checked at most once a second, on a handshake),
// so a renewed certificate needs no restart. A pair that fails to load keeps
// the one in service.
type CertReloader struct {
	CertFile, KeyFile string
	mu                sync.Mutex
	cert              *tls.Certificate
	stamp             string
	checked           time.Time
	OnError           func(err error)
}

// Load loads the pair now; the first load must succeed.
func (c *CertReloader) Load() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.load()
}

func (c *CertReloader) load() error {
	stamp := fileStamp(c.CertFile) + "|" + fileStamp(c.KeyFile)
	if c.cert != nil && stamp == c.stamp {
		return nil
	}
	cert, err := tls.LoadX509KeyPair(c.CertFile, c.KeyFile)
	if err != nil {
		return fmt.Errorf("tls: %w", err)
	}
	c.cert, c.stamp = &cert, stamp
	return nil
}

func fileStamp(path string) string {
	st, err := os.Stat(path)
	if err != nil {
		return "missing"
	}
	return fmt.Sprint(st.ModTime().UnixNano(), st.Size())
}

// GetCertificate is the tls.Config hook.
func (c *CertReloader) GetCertificate(*tls.ClientHelloInfo) (*tls.Certificate, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if time.Since(c.checked) >= time.Second {
		c.checked = time.Now()
		if err := c.load(); err != nil && c.OnError != nil {
			c.OnError(err)
		}
	}
	return c.cert, nil
}

// TLSConfig is the server configuration: TLS 1.2 or later, HTTP/1.1 only.
func (c *CertReloader) TLSConfig() *tls.Config {
	return &tls.Config{MinVersion: tls.VersionTLS12, GetCertificate: c.GetCertificate,
		NextProtos: []string{"http/1.1"}}
}
