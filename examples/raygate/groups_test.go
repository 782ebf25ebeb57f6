package main

import (
	"fmt"
	"testing"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
)

// A verified JWT's groups claim is asserted with the principal: bundle.json
// grants grp:ray-admins ray-admin on /projects, and user:zed is in no group.
func TestGatewayAssertsJWTGroups(t *testing.T) {
	k := newKey(t, "k", jose.EdDSA)
	srv := newJWKSServer(t, k)
	h := newHarness(t)
	cfg := JWTConfig{Issuer: testIssuer, Audience: testAudience, Prefix: "user:"}
	h.gw.auth = newJWTAuthFor(t, srv.srv.URL, cfg)
	zed := func(c *jwt.Claims) { c.Subject = "zed" }
	withAdmins := k.sign(t, map[string]any{"groups": []string{"grp:other", "grp:ray-admins"}}, zed)
	get := func(what, tok string, want int, reason string) {
		t.Helper()
		code, body := h.raw(t, "GET", "/projects/a/api/jobs/", tok)
		if code != want || (reason != "" && body["reason"] != reason) {
			t.Errorf("%s: %d %v; want %d %s", what, code, body, want, reason)
		}
	}
	get("asserted group", withAdmins, 200, "")
	get("no groups claim", k.sign(t, nil, zed), 403, "no_grant")
	get("null groups claim", k.sign(t, map[string]any{"groups": nil}, zed), 403, "no_grant")
	get("another group only", k.sign(t, map[string]any{"groups": []string{"grp:other"}}, zed), 403, "no_grant")
	many := make([]string, 1025)
	for i := range many {
		many[i] = fmt.Sprint("grp:g", i)
	}
	many[1024] = "grp:ray-admins" // the grant is there, but the list is over the limit
	get("1025 groups", k.sign(t, map[string]any{"groups": many}, zed), 403, "invalid_input")
	get("empty group id", k.sign(t, map[string]any{"groups": []string{"", "grp:ray-admins"}}, zed), 403, "invalid_input")
	// A claim of the wrong shape refuses the token: dropping it could skip a
	// deny on one of its groups.
	get("groups not a list", k.sign(t, map[string]any{"groups": "grp:ray-admins"}, zed), 401, "invalid_groups_claim")
	get("static token", tokRita, 401, "")
	overage := map[string]any{"_claim_names": map[string]string{"groups": "src1"},
		"_claim_sources": map[string]any{"src1": map[string]string{"endpoint": "https://graph.example/x"}}}
	get("groups overage", k.sign(t, overage, zed), 401, "groups_not_in_token")

	// Another claim name.
	cfg.GroupsClaim = "roles"
	h.gw.auth = newJWTAuthFor(t, srv.srv.URL, cfg)
	get("groups under roles", k.sign(t, map[string]any{"roles": []string{"grp:ray-admins"}}, zed), 200, "")
	get("groups claim ignored", withAdmins, 403, "no_grant")
	// None asserted.
	cfg.GroupsClaim, cfg.NoGroups = "", true
	h.gw.auth = newJWTAuthFor(t, srv.srv.URL, cfg)
	get("groups off", withAdmins, 403, "no_grant")
}

// auth.jwt.groups_claim: absent is "groups", "" is none, a name is that claim.
func TestGroupsClaimConfig(t *testing.T) {
	for yaml, want := range map[string]JWTConfig{
		"":                     {},
		`groups_claim: ""`:     {NoGroups: true},
		`groups_claim: roles`:  {GroupsClaim: "roles"},
		`groups_claim: groups`: {GroupsClaim: "groups"},
	} {
		c := DefaultConfig()
		if err := ParseConfig([]byte("auth:\n  jwt:\n    issuer: i\n    "+yaml+"\n"), &c); err != nil {
			t.Fatalf("%q: %v", yaml, err)
		}
		got := c.Auth.JWT.authConfig()
		if got.GroupsClaim != want.GroupsClaim || got.NoGroups != want.NoGroups {
			t.Errorf("%q: %+v", yaml, got)
		}
	}
}
