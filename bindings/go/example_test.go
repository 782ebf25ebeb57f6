package rolegate_test

import (
	"errors"
	"fmt"
	"log"

	rolegate "github.com/rolegate/rolegate/bindings/go"
)

// The scope of cloud c1 in the example bundle.
const cloudC1 = "/subscriptions/s1/resourceGroups/prod/providers/Anyscale.Platform/clouds/c1"

// An engine compiles a bundle once and then answers checks from any number of
// goroutines. A deny is an answer, not an error.
func Example() {
	engine, err := rolegate.NewEngine(rolegate.ExampleBundle())
	if err != nil {
		log.Fatal(err)
	}
	defer engine.Close()

	d, err := engine.Check("user:alice", "Anyscale.Platform/clouds/projects/jobs/read",
		cloudC1+"/projects/prod/jobs/j1")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(d.Allowed, d.Reason)

	d, _ = engine.Check("user:alice", "Anyscale.Platform/clouds/projects/jobs/delete",
		cloudC1+"/projects/prod/jobs/j1")
	fmt.Println(d.Allowed, d.Reason)
	// Output:
	// true grant
	// false deny_assignment
}

// Explain also names the rule that decided: here the deepest matching
// assignment.
func ExampleEngine_Explain() {
	engine, _ := rolegate.NewEngine(rolegate.ExampleBundle())
	defer engine.Close()

	x, _ := engine.Explain("user:alice", "Anyscale.Platform/clouds/projects/jobs/read", cloudC1+"/projects/prod")
	fmt.Println(x.Allowed, x.Reason, x.Rule, x.RuleKind)
	// Output: true grant a-contrib-alice assignment
}

// A Batch packs many queries into one buffer; CheckBatch answers them all in
// one call into the library, on one bundle, into a slice you own. Reuse both
// and the loop allocates nothing.
func ExampleEngine_CheckBatch() {
	engine, _ := rolegate.NewEngine(rolegate.ExampleBundle())
	defer engine.Close()

	var batch rolegate.Batch
	out := make([]rolegate.Decision, 0, 3)
	for _, user := range []string{"user:alice", "user:ivan", "user:mallory"} {
		batch.Add(user, "Anyscale.Platform/clouds/read", cloudC1)
	}
	out, err := engine.CheckBatch(&batch, out)
	if err != nil {
		log.Fatal(err)
	}
	for i, d := range out {
		user, _, _ := batch.Query(i)
		fmt.Println(user, d)
	}
	batch.Reset() // ready for the next round, memory kept
	// Output:
	// user:alice allow (grant)
	// user:ivan allow (grant)
	// user:mallory deny (no_grant)
}

// Publish swaps in a new bundle atomically; checks in flight finish on the
// bundle they started with. A bundle that does not compile changes nothing.
func ExampleEngine_Publish() {
	engine, _ := rolegate.NewEngine(rolegate.ExampleBundle())
	defer engine.Close()

	err := engine.Publish([]byte(`{"version": 1, "actions": [{"name": "a"}],
  "roles": [{"id": "r", "actions": ["b"]}]}`))
	var bundleErr *rolegate.BundleError
	if errors.As(err, &bundleErr) {
		for _, d := range bundleErr.Errors() {
			fmt.Println(d.Pointer, d.Message)
		}
	}
	fmt.Println("generation", engine.Generation())
	// Output:
	// /roles/0/actions/0 action "b" is not in the catalog
	// generation 1
}

// Resolve picks the cloud identity a workload runs as; CheckWorkload then
// checks what that identity may do.
func ExampleEngine_CheckWorkload() {
	engine, _ := rolegate.NewEngine(rolegate.ExampleBundle())
	defer engine.Close()

	job := rolegate.Workload{Cloud: "c1", Type: rolegate.WorkloadJob, Project: "prod", User: "user:alice"}
	r, _ := engine.Resolve(job)
	fmt.Println(r.Identity, r.Source)

	d, _ := engine.CheckWorkload(job, "secretsmanager:GetSecretValue",
		"arn:aws:secretsmanager:us-west-2:123456789012:secret:gh-token-AbCdEf")
	fmt.Println(d.Allowed, d.Reason, d.Rule)
	// Output:
	// arn:aws:iam::123456789012:role/prod-jobs m-prod-jobs
	// true statement s-prod-jobs-secrets
}

// CheckRequest maps an HTTP request to a route, an action and a scope, and
// checks it: what an authenticating proxy in front of a dashboard asks.
func ExampleEngine_CheckRequest() {
	engine, _ := rolegate.NewEngine(rolegate.ExampleBundle())
	defer engine.Close()

	d, _ := engine.CheckRequest("user:bob", "POST", "/api/clouds/c1/projects/research/jobs?dry_run=1")
	fmt.Println(d.Allowed, d.Route, d.Action)
	fmt.Println(d.Resource)

	d, _ = engine.CheckRequest("user:bob", "GET", "/api/clouds/c1%2F..%2Fc2")
	fmt.Println(d.Allowed, d.Reason)
	// Output:
	// true r-jobs-submit Anyscale.Platform/clouds/projects/jobs/write
	// /subscriptions/s1/resourceGroups/prod/providers/Anyscale.Platform/clouds/c1/projects/research
	// false bad_path
}

// A Snapshot pins one bundle for a whole request, and offers the id fast
// path for hot loops over few principals and actions.
func ExampleSnapshot() {
	engine, _ := rolegate.NewEngine(rolegate.ExampleBundle())
	defer engine.Close()

	snap, err := engine.Acquire()
	if err != nil {
		log.Fatal(err)
	}
	defer snap.Release()

	alice, _ := snap.PrincipalID("user:alice")
	read, _ := snap.ActionID("Anyscale.Platform/clouds/projects/jobs/read")
	for _, job := range []string{"j1", "j2"} {
		d, _ := snap.CheckIDs(alice, read, cloudC1+"/projects/prod/jobs/"+job)
		fmt.Println(job, d)
	}
	// Output:
	// j1 allow (grant)
	// j2 allow (grant)
}
