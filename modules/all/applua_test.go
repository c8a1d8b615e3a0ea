package all_test

// app_lua's load parameter names a Lua file that must exist and compile
// (as Kamailio requires at startup); an empty file stands in for one in
// TestEveryFormLoads. The entry belongs in paramOverrides.
func init() { paramOverrides["app_lua.load"] = `"/dev/null"` }
