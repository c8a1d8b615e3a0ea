// Package all wires in every module kamgo can run, by importing each for
// its registration side effect.
package all

import (
	_ "github.com/kamgo/kamgo/modules/acc"       // acc
	_ "github.com/kamgo/kamgo/modules/app_lua"   // app_lua
	_ "github.com/kamgo/kamgo/modules/auth"      // auth
	_ "github.com/kamgo/kamgo/modules/cfg_rpc"   // cfg_rpc
	_ "github.com/kamgo/kamgo/modules/cfgutils"  // cfgutils
	_ "github.com/kamgo/kamgo/modules/corex"     // corex
	_ "github.com/kamgo/kamgo/modules/counters"  // counters
	_ "github.com/kamgo/kamgo/modules/ctl"       // ctl
	_ "github.com/kamgo/kamgo/modules/dialog"    // dialog
	_ "github.com/kamgo/kamgo/modules/evapi"     // evapi
	_ "github.com/kamgo/kamgo/modules/htable"    // htable
	_ "github.com/kamgo/kamgo/modules/jansson"   // jansson
	_ "github.com/kamgo/kamgo/modules/json"      // json
	_ "github.com/kamgo/kamgo/modules/jsonrpcs"  // jsonrpcs
	_ "github.com/kamgo/kamgo/modules/kex"       // kex
	_ "github.com/kamgo/kamgo/modules/maxfwd"    // maxfwd
	_ "github.com/kamgo/kamgo/modules/nathelper" // nathelper
	_ "github.com/kamgo/kamgo/modules/pike"      // pike
	_ "github.com/kamgo/kamgo/modules/pv"        // pv
	_ "github.com/kamgo/kamgo/modules/registrar" // registrar
	_ "github.com/kamgo/kamgo/modules/rr"        // rr
	_ "github.com/kamgo/kamgo/modules/rtjson"    // rtjson
	_ "github.com/kamgo/kamgo/modules/rtpproxy"  // rtpproxy
	_ "github.com/kamgo/kamgo/modules/sanity"    // sanity
	_ "github.com/kamgo/kamgo/modules/siputils"  // siputils
	_ "github.com/kamgo/kamgo/modules/sl"        // sl
	_ "github.com/kamgo/kamgo/modules/textops"   // textops
	_ "github.com/kamgo/kamgo/modules/textopsx"  // textopsx
	_ "github.com/kamgo/kamgo/modules/tm"        // tm
	_ "github.com/kamgo/kamgo/modules/tmx"       // tmx
	_ "github.com/kamgo/kamgo/modules/usrloc"    // usrloc
	_ "github.com/kamgo/kamgo/modules/xhttp"     // xhttp
	_ "github.com/kamgo/kamgo/modules/xlog"      // xlog
)
