-- evapi-echo in Lua: the twin of examples/evapi-echo/kamailio.cfg.
-- Each client is tagged "c<conidx>" on connect; each message goes back to
-- that tag only.

-- SIP requests: nothing to do (request_route { exit; }).
function ksr_request_route()
	KSR.x.exit()
end

-- evapi calls this for every event: evapi:connection-new,
-- evapi:message-received and evapi:connection-closed.
function ksr_evapi_event(evname)
	if evname == "evapi:connection-new" then
		KSR.evapi.set_tag("c" .. KSR.pv.get("$evapi(conidx)"))
	elseif evname == "evapi:message-received" then
		KSR.evapi.relay_unicast(KSR.pv.get("$evapi(msg)"), "c" .. KSR.pv.get("$evapi(conidx)"))
	end
	return 1
end
