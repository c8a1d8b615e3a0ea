package lint

import (
	"encoding/json"
	"io"
	"net/url"
	"path/filepath"
	"strings"

	"github.com/kamgo/kamgo/lang/diag"
)

// SARIF 2.1.0 output, in the subset GitHub code scanning reads: one run,
// the tool's rules (lint rules and the check codes that occur) with help
// text, and one result per finding with its location.

// SARIFSchema is the schema a SARIF log names.
const SARIFSchema = "https://json.schemastore.org/sarif-2.1.0.json"

type sarifLog struct {
	Schema  string     `json:"$schema"`
	Version string     `json:"version"`
	Runs    []sarifRun `json:"runs"`
}

type sarifRun struct {
	Tool       sarifTool      `json:"tool"`
	Results    []sarifResult  `json:"results"`
	ColumnKind string         `json:"columnKind"`
	Properties map[string]any `json:"properties,omitempty"`
}

type sarifTool struct {
	Driver sarifDriver `json:"driver"`
}

type sarifDriver struct {
	Name           string      `json:"name"`
	Version        string      `json:"version,omitempty"`
	InformationURI string      `json:"informationUri"`
	Rules          []sarifRule `json:"rules"`
}

type sarifText struct {
	Text     string `json:"text"`
	Markdown string `json:"markdown,omitempty"`
}

type sarifRule struct {
	ID                   string          `json:"id"`
	Name                 string          `json:"name,omitempty"`
	ShortDescription     sarifText       `json:"shortDescription"`
	FullDescription      sarifText       `json:"fullDescription"`
	Help                 sarifText       `json:"help"`
	HelpURI              string          `json:"helpUri,omitempty"`
	DefaultConfiguration sarifConfig     `json:"defaultConfiguration"`
	Properties           sarifProperties `json:"properties"`
}

type sarifConfig struct {
	Enabled bool   `json:"enabled"`
	Level   string `json:"level"`
}

type sarifProperties struct {
	Tags []string `json:"tags"`
}

type sarifResult struct {
	RuleID           string          `json:"ruleId"`
	RuleIndex        int             `json:"ruleIndex"`
	Level            string          `json:"level"`
	Message          sarifText       `json:"message"`
	Locations        []sarifLocation `json:"locations"`
	RelatedLocations []sarifLocation `json:"relatedLocations,omitempty"`
	Properties       map[string]any  `json:"properties,omitempty"`
}

type sarifLocation struct {
	ID               int                `json:"id,omitempty"`
	PhysicalLocation sarifPhysical      `json:"physicalLocation"`
	Message          *sarifText         `json:"message,omitempty"`
	LogicalLocations []sarifLogicalLocn `json:"logicalLocations,omitempty"`
}

type sarifLogicalLocn struct {
	Name string `json:"name"`
	Kind string `json:"kind"`
}

type sarifPhysical struct {
	ArtifactLocation sarifArtifact `json:"artifactLocation"`
	Region           *sarifRegion  `json:"region,omitempty"`
}

type sarifArtifact struct {
	URI string `json:"uri"`
}

type sarifRegion struct {
	StartLine   int `json:"startLine"`
	StartColumn int `json:"startColumn,omitempty"`
	EndLine     int `json:"endLine,omitempty"`
	EndColumn   int `json:"endColumn,omitempty"`
}

func sarifLevel(s diag.Severity) string {
	switch s {
	case diag.Error:
		return "error"
	case diag.Warning:
		return "warning"
	}
	return "note"
}

// sarifURI turns a file name into a URI reference: a relative path stays
// relative (GitHub resolves it against the repository root), an absolute
// one becomes a file: URI.
func sarifURI(file string) string {
	p := filepath.ToSlash(file)
	parts := strings.Split(p, "/")
	for i, s := range parts {
		parts[i] = url.PathEscape(s)
	}
	p = strings.Join(parts, "/")
	if filepath.IsAbs(file) {
		return "file://" + p
	}
	return strings.TrimPrefix(p, "./")
}

func sarifRegionOf(r diag.Range) *sarifRegion {
	if !r.Start.IsValid() {
		return nil
	}
	reg := &sarifRegion{StartLine: r.Start.Line, StartColumn: max(r.Start.Col, 1)}
	if r.End.IsValid() && !r.End.Before(r.Start) {
		reg.EndLine = r.End.Line
		reg.EndColumn = max(r.End.Col, 1)
		if reg.EndLine == reg.StartLine && reg.EndColumn <= reg.StartColumn {
			reg.EndColumn = reg.StartColumn + 1
		}
	}
	return reg
}

// WriteSARIF prints findings as a SARIF 2.1.0 log. rules lists the lint
// rules to describe (every rule, or the selected ones); the check codes of
// the findings are described too. version is kamgo's.
func WriteSARIF(w io.Writer, l diag.List, rules []*Rule, version string) error {
	return writeSARIF(w, l, rules, version, nil, nil)
}

// writeSARIF is WriteSARIF with property bags: runProps for the run and,
// when props is not nil, props(i) for the result of l[i].
func writeSARIF(w io.Writer, l diag.List, rules []*Rule, version string, runProps map[string]any, props func(i int) map[string]any) error {
	run := sarifRun{ColumnKind: "unicodeCodePoints", Results: []sarifResult{}, Properties: runProps}
	run.Tool.Driver = sarifDriver{Name: "kamgo", Version: version, InformationURI: "https://github.com/kamgo/kamgo"}
	index := map[string]int{}
	for _, r := range rules {
		index[r.ID] = len(run.Tool.Driver.Rules)
		run.Tool.Driver.Rules = append(run.Tool.Driver.Rules, sarifRuleOf(r))
	}
	for i, d := range l {
		if _, ok := index[d.Code]; !ok {
			index[d.Code] = len(run.Tool.Driver.Rules)
			run.Tool.Driver.Rules = append(run.Tool.Driver.Rules, sarifCheckRule(d.Code))
		}
		msg := d.Summary
		if d.Detail != "" {
			msg += " (" + d.Detail + ")"
		}
		res := sarifResult{RuleID: d.Code, RuleIndex: index[d.Code], Level: sarifLevel(d.Severity), Message: sarifText{Text: msg}}
		if props != nil {
			res.Properties = props(i)
		}
		loc := sarifLocation{PhysicalLocation: sarifPhysical{ArtifactLocation: sarifArtifact{URI: sarifURI(d.Subject.File)}, Region: sarifRegionOf(d.Subject)}}
		if d.Context != "" {
			loc.LogicalLocations = []sarifLogicalLocn{{Name: d.Context, Kind: "function"}}
		}
		res.Locations = []sarifLocation{loc}
		for i, rel := range d.Related {
			res.RelatedLocations = append(res.RelatedLocations, sarifLocation{ID: i + 1,
				PhysicalLocation: sarifPhysical{ArtifactLocation: sarifArtifact{URI: sarifURI(rel.Range.File)}, Region: sarifRegionOf(rel.Range)},
				Message:          &sarifText{Text: rel.Message}})
		}
		run.Results = append(run.Results, res)
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(sarifLog{Schema: SARIFSchema, Version: "2.1.0", Runs: []sarifRun{run}})
}

func sarifRuleOf(r *Rule) sarifRule {
	help := strings.TrimSpace(r.Doc) + "\n\nWrong:\n\n" + indent(r.Bad) + "\n\nRight:\n\n" + indent(r.Good)
	md := strings.TrimSpace(r.Doc) + "\n\nWrong:\n\n```\n" + r.Bad + "\n```\n\nRight:\n\n```\n" + r.Good + "\n```"
	return sarifRule{
		ID: r.ID, Name: r.Name,
		ShortDescription:     sarifText{Text: r.Title},
		FullDescription:      sarifText{Text: firstParagraph(r.Doc)},
		Help:                 sarifText{Text: help, Markdown: md},
		HelpURI:              r.URI(),
		DefaultConfiguration: sarifConfig{Enabled: r.Default, Level: sarifLevel(r.Severity)},
		Properties:           sarifProperties{Tags: []string{"kamailio", "lint", familyOf(r.ID).Name}},
	}
}

// sarifCheckRule describes one of check's codes from its declaration.
func sarifCheckRule(code string) sarifRule {
	c, ok := diag.Lookup(code)
	title, explain := code, ""
	if ok {
		title, explain = c.Title, strings.TrimSpace(c.Explain)
	}
	if explain == "" {
		explain = title
	}
	help := explain
	if ok && c.Example != "" {
		help += "\n\nExample:\n\n" + indent(c.Example)
		if c.Fix != "" {
			help += "\n\nFix:\n\n" + indent(c.Fix)
		}
	}
	return sarifRule{
		ID: code, ShortDescription: sarifText{Text: title}, FullDescription: sarifText{Text: firstParagraph(explain)},
		Help:                 sarifText{Text: help},
		HelpURI:              "https://github.com/kamgo/kamgo/blob/main/README.md#commands",
		DefaultConfiguration: sarifConfig{Enabled: true, Level: "error"},
		Properties:           sarifProperties{Tags: []string{"kamailio", "check"}},
	}
}

func firstParagraph(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.Index(s, "\n\n"); i >= 0 {
		s = s[:i]
	}
	return strings.Join(strings.Fields(s), " ")
}

func indent(s string) string {
	lines := strings.Split(strings.Trim(s, "\n"), "\n")
	for i, l := range lines {
		lines[i] = "    " + strings.ReplaceAll(l, "\t", "    ")
	}
	return strings.Join(lines, "\n")
}
