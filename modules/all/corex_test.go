package all_test

func init() {
	paramOverrides["corex.alias_subdomains"] = `"example.org"`
	paramOverrides["corex.dns_cache"] = `"type=A;name=gw.example.org;addr=192.0.2.1;ttl=60"`
	// An empty file: no records, and nothing to create.
	paramOverrides["corex.dns_file"] = `"/dev/null"`
	paramOverrides["corex.nio_intercept"] = `0`
	for k, v := range map[string]string{
		"file_read/2":           `"/dev/null", "$var(x)"`,
		"setxflag/1":            `"1"`,
		"resetxflag/1":          `"1"`,
		"isxflagset/1":          `"1"`,
		"via_add_srvid/1":       `"1"`,
		"via_add_xavp_params/1": `"1"`,
		"via_use_xavp_fields/1": `"1"`,
		"append_branch/2":       `"sip:a@b", "0.5"`,
		"set_source_address/1":  `"192.0.2.1:5060"`,
	} {
		argOverrides[k] = v
	}
}
