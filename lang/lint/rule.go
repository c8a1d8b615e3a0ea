package lint

import (
	"fmt"
	"regexp"
	"sort"
	"strings"
	"sync"

	"github.com/kamgo/kamgo/lang/diag"
)

// Rule is one lint check. Its ID is stable: it never changes and is never
// given to another rule, even after the rule is gone.
type Rule struct {
	// ID is KL followed by four digits; the first digit is the family.
	ID string
	// Name is a short kebab-case name, also stable, usable wherever an ID
	// is ("--checks -unused-route").
	Name string
	// Title is one line, lower case, without a final period.
	Title string
	// Doc says what goes wrong at run time and why Kamailio does not see
	// it, in paragraphs separated by blank lines.
	Doc string
	// Bad is a config that gets the finding; Good is Bad corrected. Both
	// are complete configs that Kamailio 5.6.3 accepts.
	Bad, Good string
	// Severity is the default severity of the rule's findings.
	Severity diag.Severity
	// Default tells whether the rule runs when no selection names it.
	Default bool
	// Run reports the rule's findings on one configuration.
	Run func(*Pass)
}

// Family is a group of rules sharing the first digit of their IDs.
type Family struct {
	Digit byte
	Name  string
}

// Families lists the rule families by the first digit of their IDs.
var Families = []Family{
	{'1', "control flow"},
	{'2', "pseudo-variables and types"},
	{'3', "routes and modules"},
	{'4', "preprocessor"},
	{'5', "evapi and async"},
	{'9', "style and lint directives"},
}

var (
	regMu  sync.Mutex
	byID   = map[string]*Rule{}
	byName = map[string]*Rule{}
)

// register declares rules. It panics on a malformed or repeated ID or name,
// an ID outside the families, or a rule without title, docs, examples or
// Run: programming errors, found when the program starts.
func register(rules ...*Rule) {
	regMu.Lock()
	defer regMu.Unlock()
	for _, r := range rules {
		if err := validate(r); err != nil {
			panic(err)
		}
		byID[r.ID] = r
		byName[r.Name] = r
	}
}

func validate(r *Rule) error {
	if !idShape(r.ID) {
		return fmt.Errorf("lint: malformed rule ID %q", r.ID)
	}
	if familyOf(r.ID) == nil {
		return fmt.Errorf("lint: rule %s is in no family", r.ID)
	}
	if !nameShape(r.Name) {
		return fmt.Errorf("lint: rule %s: malformed name %q", r.ID, r.Name)
	}
	if _, dup := byID[r.ID]; dup {
		return fmt.Errorf("lint: rule ID %s declared twice", r.ID)
	}
	if _, dup := byName[r.Name]; dup {
		return fmt.Errorf("lint: rule name %s declared twice", r.Name)
	}
	if r.Title == "" || r.Doc == "" || r.Bad == "" || r.Good == "" || r.Run == nil {
		return fmt.Errorf("lint: rule %s needs a title, docs, a bad and a good example, and Run", r.ID)
	}
	return nil
}

// idShape reports whether id is shaped as a rule ID: KL, a digit 1-9 and
// three digits. Every rule is validated when the program starts, so this
// is a loop rather than a regular expression compiled by every process.
func idShape(id string) bool {
	if len(id) != 6 || id[:2] != "KL" || id[2] < '1' || id[2] > '9' {
		return false
	}
	for i := 3; i < len(id); i++ {
		if id[i] < '0' || id[i] > '9' {
			return false
		}
	}
	return true
}

// nameShape reports whether name is lower-case words of letters and
// digits joined by single '-', starting with a letter.
func nameShape(name string) bool {
	if name == "" || name[0] < 'a' || name[0] > 'z' {
		return false
	}
	dash := false
	for i := 1; i < len(name); i++ {
		switch c := name[i]; {
		case c == '-':
			if dash {
				return false
			}
			dash = true
		case c >= 'a' && c <= 'z' || c >= '0' && c <= '9':
			dash = false
		default:
			return false
		}
	}
	return !dash
}

// lazyRegexp compiles expr on first use: check and run link this package
// without reading what the expressions match.
func lazyRegexp(expr string) func() *regexp.Regexp {
	return sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(expr) })
}

func familyOf(id string) *Family {
	if len(id) < 3 {
		return nil
	}
	for i := range Families {
		if Families[i].Digit == id[2] {
			return &Families[i]
		}
	}
	return nil
}

// Rules returns every rule, ordered by ID.
func Rules() []*Rule {
	regMu.Lock()
	defer regMu.Unlock()
	out := make([]*Rule, 0, len(byID))
	for _, r := range byID {
		out = append(out, r)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// Lookup returns the rule with an ID or a name.
func Lookup(idOrName string) (*Rule, bool) {
	regMu.Lock()
	defer regMu.Unlock()
	if r, ok := byID[strings.ToUpper(idOrName)]; ok {
		return r, true
	}
	r, ok := byName[strings.ToLower(idOrName)]
	return r, ok
}

// URI returns where the rule's documentation is published, for tools that
// link findings to it (SARIF helpUri).
func (r *Rule) URI() string {
	return DocsBase + strings.ToLower(r.ID)
}

// DocsBase is the address rule URIs are built on: RULES.md, generated from
// the registry, has one section per rule whose anchor is its lower-case ID.
const DocsBase = "https://github.com/kamgo/kamgo/blob/main/lang/lint/RULES.md#"
