package lint

import (
	"bytes"
	"encoding/json"
	"fmt"
	"testing"
)

// The SARIF 2.1.0 schema's constraints on the objects WriteSARIF writes:
// the properties each object may have (additionalProperties is false for
// them in the schema) and those it must have.
var sarifShapes = map[string]struct{ allowed, required []string }{
	"log":        {[]string{"$schema", "version", "runs", "inlineExternalProperties", "properties"}, []string{"version", "runs"}},
	"run":        {[]string{"tool", "results", "columnKind", "invocations", "artifacts", "properties"}, []string{"tool"}},
	"tool":       {[]string{"driver", "extensions", "properties"}, []string{"driver"}},
	"driver":     {[]string{"name", "version", "informationUri", "rules", "semanticVersion", "properties"}, []string{"name"}},
	"rule":       {[]string{"id", "name", "shortDescription", "fullDescription", "help", "helpUri", "defaultConfiguration", "properties"}, []string{"id"}},
	"mfMessage":  {[]string{"text", "markdown", "properties"}, []string{"text"}},
	"config":     {[]string{"enabled", "level", "rank", "parameters", "properties"}, nil},
	"result":     {[]string{"ruleId", "ruleIndex", "level", "message", "locations", "relatedLocations", "properties"}, []string{"message"}},
	"message":    {[]string{"text", "markdown", "id", "arguments", "properties"}, nil},
	"location":   {[]string{"id", "physicalLocation", "logicalLocations", "message", "properties"}, nil},
	"physical":   {[]string{"artifactLocation", "region", "address", "contextRegion", "properties"}, nil},
	"artifact":   {[]string{"uri", "uriBaseId", "index", "description", "properties"}, nil},
	"region":     {[]string{"startLine", "startColumn", "endLine", "endColumn", "charOffset", "charLength", "properties"}, nil},
	"logical":    {[]string{"name", "index", "fullyQualifiedName", "decoratedName", "parentIndex", "kind", "properties"}, nil},
	"properties": {[]string{"tags"}, nil},
}

type sarifChecker struct {
	t    *testing.T
	errs int
}

func (c *sarifChecker) fail(path, format string, args ...any) {
	c.t.Errorf("%s: %s", path, fmt.Sprintf(format, args...))
	c.errs++
}

func (c *sarifChecker) obj(path, shape string, v any) map[string]any {
	m, ok := v.(map[string]any)
	if !ok {
		c.fail(path, "not an object")
		return nil
	}
	s := sarifShapes[shape]
	allowed := map[string]bool{}
	for _, k := range s.allowed {
		allowed[k] = true
	}
	for k := range m {
		if !allowed[k] {
			c.fail(path, "property %q is not in the schema of %s", k, shape)
		}
	}
	for _, k := range s.required {
		if _, ok := m[k]; !ok {
			c.fail(path, "required property %q missing", k)
		}
	}
	return m
}

func (c *sarifChecker) text(path string, v any, shape string) {
	m := c.obj(path, shape, v)
	if shape == "message" {
		_, t := m["text"]
		_, id := m["id"]
		if !t && !id {
			c.fail(path, "a message needs text or id")
		}
	}
}

// bag checks a property bag: any properties, but "tags" is a list of
// distinct strings.
func (c *sarifChecker) bag(path string, v any) {
	m, ok := v.(map[string]any)
	if !ok {
		c.fail(path, "not an object")
		return
	}
	if tags, ok := m["tags"]; ok {
		l, ok := tags.([]any)
		seen := map[any]bool{}
		for _, t := range l {
			if _, s := t.(string); !s || seen[t] {
				ok = false
			}
			seen[t] = true
		}
		if !ok {
			c.fail(path+".tags", "must be a list of distinct strings")
		}
	}
}

func (c *sarifChecker) level(path string, v any) {
	switch v {
	case "none", "note", "warning", "error":
	default:
		c.fail(path, "level %v is not none, note, warning or error", v)
	}
}

func (c *sarifChecker) positive(path string, m map[string]any, keys ...string) {
	for _, k := range keys {
		if v, ok := m[k]; ok {
			if n, ok := v.(float64); !ok || n < 1 || n != float64(int(n)) {
				c.fail(path+"."+k, "must be an integer >= 1, is %v", v)
			}
		}
	}
}

func (c *sarifChecker) location(path string, v any) {
	loc := c.obj(path, "location", v)
	if id, ok := loc["id"].(float64); ok && id < -1 {
		c.fail(path, "bad id")
	}
	if pl, ok := loc["physicalLocation"]; ok {
		p := c.obj(path+".physicalLocation", "physical", pl)
		if _, ok := p["artifactLocation"]; !ok {
			c.fail(path, "physicalLocation needs artifactLocation (GitHub code scanning)")
		}
		a := c.obj(path+".artifactLocation", "artifact", p["artifactLocation"])
		if u, ok := a["uri"].(string); !ok || u == "" {
			c.fail(path, "artifactLocation.uri missing")
		}
		if r, ok := p["region"]; ok {
			reg := c.obj(path+".region", "region", r)
			if _, ok := reg["startLine"]; !ok {
				c.fail(path, "region.startLine missing (GitHub code scanning)")
			}
			c.positive(path+".region", reg, "startLine", "startColumn", "endLine", "endColumn")
		}
	}
	if msg, ok := loc["message"]; ok {
		c.text(path+".message", msg, "message")
	}
	if ll, ok := loc["logicalLocations"].([]any); ok {
		for i, l := range ll {
			c.obj(fmt.Sprintf("%s.logicalLocations[%d]", path, i), "logical", l)
		}
	}
}

// TestSARIF checks the SARIF log of a lint run against the constraints
// of the SARIF 2.1.0 schema and what GitHub code scanning needs: rules
// with help text and URIs, results pointing at rules and at a region.
func TestSARIF(t *testing.T) {
	res := File("testdata/KL1016.cfg", Options{Config: allRules(t)})
	if len(res.Diags) == 0 {
		t.Fatal("no findings to write")
	}
	var b bytes.Buffer
	if err := WriteSARIF(&b, res.Diags, Rules(), "test"); err != nil {
		t.Fatal(err)
	}
	checkSARIF(t, b.Bytes(), len(res.Diags))
}

// checkSARIF checks a SARIF log holding one run of n results, and returns
// the run.
func checkSARIF(t *testing.T, data []byte, n int) map[string]any {
	t.Helper()
	var log any
	if err := json.Unmarshal(data, &log); err != nil {
		t.Fatal(err)
	}
	c := &sarifChecker{t: t}
	top := c.obj("log", "log", log)
	if top["version"] != "2.1.0" {
		t.Errorf("version = %v", top["version"])
	}
	runs, _ := top["runs"].([]any)
	if len(runs) != 1 {
		t.Fatalf("runs = %v", top["runs"])
	}
	run := c.obj("run", "run", runs[0])
	if ck := run["columnKind"]; ck != "utf16CodeUnits" && ck != "unicodeCodePoints" {
		t.Errorf("columnKind = %v", ck)
	}
	if p, ok := run["properties"]; ok {
		c.bag("run.properties", p)
	}
	tool := c.obj("tool", "tool", run["tool"])
	driver := c.obj("driver", "driver", tool["driver"])
	rules, _ := driver["rules"].([]any)
	ids := map[string]int{}
	for i, rv := range rules {
		path := fmt.Sprintf("rules[%d]", i)
		r := c.obj(path, "rule", rv)
		id, _ := r["id"].(string)
		if _, dup := ids[id]; dup {
			t.Errorf("%s: rule %s twice", path, id)
		}
		ids[id] = i
		for _, k := range []string{"shortDescription", "fullDescription", "help"} {
			if v, ok := r[k]; ok {
				c.text(path+"."+k, v, "mfMessage")
			} else {
				t.Errorf("%s: %s missing", path, k)
			}
		}
		if u, ok := r["helpUri"].(string); !ok || u == "" {
			t.Errorf("%s: helpUri missing", path)
		}
		dc := c.obj(path+".defaultConfiguration", "config", r["defaultConfiguration"])
		c.level(path+".defaultConfiguration.level", dc["level"])
		c.obj(path+".properties", "properties", r["properties"])
	}
	results, _ := run["results"].([]any)
	if len(results) != n {
		t.Errorf("%d results for %d findings", len(results), n)
	}
	for i, rv := range results {
		path := fmt.Sprintf("results[%d]", i)
		r := c.obj(path, "result", rv)
		c.text(path+".message", r["message"], "message")
		c.level(path+".level", r["level"])
		if p, ok := r["properties"]; ok {
			c.bag(path+".properties", p)
		}
		id, _ := r["ruleId"].(string)
		idx, ok := ids[id]
		if !ok {
			t.Errorf("%s: ruleId %q is not a rule of the driver", path, id)
		}
		if ri, _ := r["ruleIndex"].(float64); int(ri) != idx {
			t.Errorf("%s: ruleIndex %v, the rule is at %d", path, r["ruleIndex"], idx)
		}
		locs, _ := r["locations"].([]any)
		if len(locs) == 0 {
			t.Errorf("%s: no location", path)
		}
		for j, l := range locs {
			c.location(fmt.Sprintf("%s.locations[%d]", path, j), l)
		}
		if rel, ok := r["relatedLocations"].([]any); ok {
			for j, l := range rel {
				c.location(fmt.Sprintf("%s.relatedLocations[%d]", path, j), l)
			}
		}
	}
	return run
}
