package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// Config is raygate's configuration file (YAML; JSON is YAML too). Flags
// override it. See README.md for every field.
type Config struct {
	Listen             string            `yaml:"listen"`
	HealthListen       string            `yaml:"health_listen"`
	TLS                TLSConfig         `yaml:"tls"`
	Upstreams          map[string]string `yaml:"upstreams"`
	AllowSharedCluster bool              `yaml:"allow_shared_cluster"`
	StreamingRoutes    []string          `yaml:"streaming_routes"`
	Bundle             BundleConfig      `yaml:"bundle"`
	Auth               AuthConfig        `yaml:"auth"`
	Logging            LoggingConfig     `yaml:"logging"`
	ReloadInterval     time.Duration     `yaml:"reload_interval"`
	StreamRecheck      time.Duration     `yaml:"stream_recheck_interval"`
	DrainTimeout       time.Duration     `yaml:"drain_timeout"`
}

// TLSConfig names the serving certificate and key (PEM), reloaded on change.
type TLSConfig struct {
	Cert string `yaml:"cert"`
	Key  string `yaml:"key"`
}

// BundleConfig is where the bundle comes from: a file or an HTTP(S) URL.
type BundleConfig struct {
	File         string        `yaml:"file"`
	URL          string        `yaml:"url"`
	SignatureURL string        `yaml:"signature_url"`
	PublicKey    string        `yaml:"public_key"` // base64 ed25519; set: bundles must be signed
	PollInterval time.Duration `yaml:"poll_interval"`
	MaxStale     time.Duration `yaml:"max_stale"` // readiness fails when the URL has not answered for this long
	MaxBytes     int64         `yaml:"max_bytes"`
}

// AuthConfig: static tokens, JWT, or both.
type AuthConfig struct {
	TokensFile string         `yaml:"tokens_file"`
	JWT        *JWTFileConfig `yaml:"jwt"`
}

// JWTFileConfig is JWTConfig plus where the keys are.
type JWTFileConfig struct {
	Issuer          string        `yaml:"issuer"`
	Audience        string        `yaml:"audience"`
	JWKSFile        string        `yaml:"jwks_file"`
	JWKSURL         string        `yaml:"jwks_url"` // empty with no file: the issuer's discovery document
	ClockSkew       time.Duration `yaml:"clock_skew"`
	Algorithms      []string      `yaml:"algorithms"`
	Principal       string        `yaml:"principal"`
	PrincipalPrefix string        `yaml:"principal_prefix"`
	// GroupsClaim is the claim asserted as the principal's groups: "groups"
	// when absent, none when set to "" (see JWTConfig).
	GroupsClaim     *string       `yaml:"groups_claim"`
	MinRefresh      time.Duration `yaml:"min_refresh"`
	RefreshInterval time.Duration `yaml:"refresh_interval"`
}

// LoggingConfig: where decision lines go ("-" standard output) and the
// operational log level.
type LoggingConfig struct {
	DecisionLog string `yaml:"decision_log"`
	Level       string `yaml:"level"`
}

// DefaultConfig is the configuration before the file and the flags.
func DefaultConfig() Config {
	return Config{Listen: "127.0.0.1:8000", Logging: LoggingConfig{DecisionLog: "-", Level: "info"},
		ReloadInterval: time.Second, StreamRecheck: 30 * time.Second, DrainTimeout: 10 * time.Second,
		Bundle: BundleConfig{PollInterval: 10 * time.Second, MaxStale: 5 * time.Minute}}
}

// ParseConfig decodes a configuration file onto c. Unknown fields are
// errors; each error names its line.
func ParseConfig(data []byte, c *Config) error {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(c); err != nil && !errors.Is(err, io.EOF) {
		return fmt.Errorf("config: %w", err)
	}
	return nil
}

// Validate checks c; every error names the field path it is about.
func (c *Config) Validate() error {
	var errs []string
	bad := func(field, format string, args ...any) {
		errs = append(errs, field+": "+fmt.Sprintf(format, args...))
	}
	if c.Listen == "" {
		bad("listen", "required")
	}
	if (c.TLS.Cert == "") != (c.TLS.Key == "") {
		bad("tls", "cert and key go together")
	}
	if len(c.Upstreams) == 0 {
		bad("upstreams", "at least one PROJECT: URL")
	}
	if (c.Bundle.File == "") == (c.Bundle.URL == "") {
		bad("bundle", "exactly one of file and url")
	}
	if c.Bundle.URL != "" {
		if err := CheckFetchURL(c.Bundle.URL); err != nil {
			bad("bundle.url", "%v", err)
		}
		if c.Bundle.PollInterval < 100*time.Millisecond {
			bad("bundle.poll_interval", "at least 100ms")
		}
	}
	if c.Bundle.PublicKey != "" {
		if _, err := ParsePublicKey(c.Bundle.PublicKey); err != nil {
			bad("bundle.public_key", "%v", err)
		}
	}
	if c.Bundle.MaxBytes < 0 {
		bad("bundle.max_bytes", "must not be negative")
	}
	if c.Auth.TokensFile == "" && c.Auth.JWT == nil {
		bad("auth", "tokens_file, jwt, or both")
	}
	if j := c.Auth.JWT; j != nil {
		c.validateJWT(j, bad)
	}
	if c.ReloadInterval <= 0 || c.StreamRecheck <= 0 || c.DrainTimeout <= 0 {
		bad("reload_interval, stream_recheck_interval, drain_timeout", "must be positive")
	}
	if len(errs) > 0 {
		return errors.New("config: " + strings.Join(errs, "; "))
	}
	return nil
}

func (c *Config) validateJWT(j *JWTFileConfig, bad func(string, string, ...any)) {
	if j.Issuer == "" {
		bad("auth.jwt.issuer", "required")
	}
	if j.Audience == "" {
		bad("auth.jwt.audience", "required")
	}
	if j.JWKSFile != "" && j.JWKSURL != "" {
		bad("auth.jwt", "jwks_file or jwks_url, not both")
	}
	if j.JWKSURL != "" {
		if err := CheckFetchURL(j.JWKSURL); err != nil {
			bad("auth.jwt.jwks_url", "%v", err)
		}
	}
	if j.ClockSkew < 0 || j.ClockSkew > MaxClockSkew {
		bad("auth.jwt.clock_skew", "want 0 to %v", MaxClockSkew)
	}
	for i, a := range j.Algorithms {
		if a != "RS256" && a != "ES256" && a != "EdDSA" {
			bad(fmt.Sprintf("auth.jwt.algorithms[%d]", i), "%q not allowed (RS256, ES256, EdDSA)", a)
		}
	}
	switch j.Principal {
	case "", "entra", "sub", "email":
	default:
		bad("auth.jwt.principal", "want entra, sub or email")
	}
}
