-- ties: a small drill whose world events often fall on the same instant (VSOC rounds every 30 s on the minute
-- marks where the snapshots are taken, sparse check-in slots, C2 blocks without delay) and whose scenario answers
-- team actions with world verbs at once. The replay's exact seek must run them all in the drill's order
-- (tests/c/test_replay_seek.c, tests/sh/test_replay.sh).
scenario { id = "replay-ties", title = "Replay ties", duration = "40m", seed = 5,
           params = { ["vsoc.interval"] = "30s", ["block.delay"] = 0, ["ids.detect_p"] = 0.5 } }
teams { { id = "vsoc", name = "Vehicle SOC" }, { id = "oem", name = "OEM" } }
fleet { { model = "Sedan-A", count = 40, region = "JP-Kanto", checkin = "2m", ecus = { tcu = "2.3.1" } },
        { model = "SUV-B", count = 25, region = "JP-Kansai", ecus = { tcu = "2.3.4" } } }
at("00:01:00", function() attack.compromise { select = { ecu = "tcu" }, fraction = 0.3, c2 = "198.51.100.1" } end)
at("00:02:00", function()
	attack.compromise { select = { model = "SUV-B" }, fraction = 0.5, c2 = "198.51.100.2", entry = "tcu" }
end)
every("30s", function() attack.spread { rate = 0.2, c2 = "198.51.100.1" } end, { start = "00:03:00" })
every("1m", function() alert { count = 1, c2 = "198.51.100.2" } end)
on("action", function(a)
	if a.kind == "block_indicator" then
		attack.spread { rate = 0.5, c2 = a.args.value }
		service.degrade { name = "telematics", level = "degraded" }
	elseif a.kind == "isolate_service" then
		attack.compromise { select = { model = "Sedan-A" }, fraction = 0.1, c2 = "198.51.100.3" }
	end
end)
