-- evapi-router in Lua: the twin of examples/evapi-router/kamailio.cfg,
-- with the same log lines. KSR.xlog texts are format strings, so data
-- that may hold '$' goes through $var(t) rather than into the text.

function ksr_request_route()
	KSR.x.exit()
end

-- route_message is event_route[evapi:message-received].
local function route_message(msg)
	if string.sub(msg, 1, 6) == "relay:" then
		local rc = KSR.evapi.relay(msg)
		KSR.xlog.xinfo("relay rc=" .. rc .. "\n")
		return
	end
	local kind, tag = string.match(msg, "^(%a+):([^:]*)")
	if kind == "uni" or kind == "multi" then
		KSR.pv.sets("$var(t)", tag)
		local rc
		if kind == "uni" then
			rc = KSR.evapi.relay_unicast(msg, tag)
			KSR.xlog.xinfo("unicast tag=[$var(t)] rc=" .. rc .. "\n")
		else
			rc = KSR.evapi.relay_multicast(msg, tag)
			KSR.xlog.xinfo("multicast tag=[$var(t)] rc=" .. rc .. "\n")
		end
		return
	end
	if string.sub(msg, 1, 4) == "tag:" then
		local t = string.sub(msg, 5)
		local rc = KSR.evapi.set_tag(t)
		KSR.xlog.xinfo("set_tag len=" .. #t .. " rc=" .. rc .. "\n")
		return
	end
	if msg == "close" then
		KSR.evapi.close()
		return
	end
	KSR.xlog.xinfo("unhandled message [$evapi(msg)]\n")
end

function ksr_evapi_event(evname)
	if evname == "evapi:connection-new" then
		KSR.xlog.xinfo("connection-new from $evapi(srcaddr):$evapi(srcport) conidx=$evapi(conidx)\n")
		KSR.evapi.set_tag("x")
	elseif evname == "evapi:connection-closed" then
		KSR.xlog.xinfo("connection-closed from $evapi(srcaddr):$evapi(srcport) conidx=$evapi(conidx)\n")
	elseif evname == "evapi:message-received" then
		route_message(KSR.pv.get("$evapi(msg)"))
	end
	return 1
end
