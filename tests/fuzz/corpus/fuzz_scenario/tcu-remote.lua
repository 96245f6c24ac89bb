-- tcu-remote: remote exploitation of a telematics control unit (TCU) over the cellular network.
--
-- Story: a researcher's proof of concept for a memory-corruption bug in the TCU's SMS/IP management stack
-- (firmware below 2.4.0, built on an old openssl) is weaponised by a criminal group. Cars are compromised over
-- the cellular APN, beacon to a command-and-control (C2) address and try to spread through the telematics backend.
-- The vehicle SOC sees the IDS surge first; the OEM PSIRT must coordinate with the tier-1 TCU supplier for a fix,
-- push it over the air, share indicators through the Auto-ISAC liaison and meet the UN R155 / CSMS reporting clocks.
--
-- Teams and what "good" looks like (NAME.good.jsonl):
--   vsoc       triage the IDS surge, block the C2 within the hour
--   oem_psirt  triage the escalation, bring in the supplier, assess the impact from the SBOM, push the fix
--   supplier   root-cause the crash dumps, deliver firmware 2.4.1, share the analysis with the OEM
--   isac       share indicators with the members (TLP:GREEN), answer the member request
--   legal_pr   initial regulator notification inside 24 h, detailed report inside 72 h, customer notice
scenario {
	id = "tcu-remote",
	title = "Remote TCU exploit over cellular",
	description = "A weaponised TCU bug (firmware < 2.4.0) spreads over the cellular network; contain it, patch " ..
		"over the air with the supplier, share indicators and meet the UN R155 reporting clocks.",
	duration = "4h",
	seed = 7,
	techniques = { "ATM-T0012", "ATM-T0031", "ATM-T0045" },  -- Auto-ISAC ATM: remote exploit, C2, lateral movement
}

teams {
	{ id = "oem_psirt", name = "OEM PSIRT" },
	{ id = "vsoc", name = "Vehicle SOC" },
	{ id = "supplier", name = "Tier-1 TCU supplier" },
	{ id = "isac", name = "ISAC liaison" },
	{ id = "legal_pr", name = "Legal & PR" },
}

-- 50,000 connected cars in three cohorts; only TCU firmware below 2.4.0 is exploitable.
fleet {
	{ model = "Sedan-A", count = 30000, region = "JP-Kanto", ecus = { tcu = "2.3.1", gw = "1.4.0", ivi = "5.0.2" } },
	{ model = "SUV-B", count = 15000, region = "JP-Kansai", ecus = { tcu = "2.3.4", gw = "1.4.0", ivi = "5.1.0" } },
	{ model = "Kei-C", count = 5000, region = "JP-Chubu", ecus = { tcu = "2.4.1", gw = "1.5.0", ivi = "5.1.0" } },
}

-- What the firmware contains (the supplier's SBOM): the assessment action is scored against this ground truth.
sbom {
	tcu = {
		["2.3.1"] = { "openssl@1.1.1k", "busybox@1.31.1", "modemmgr@3.2.0" },
		["2.3.4"] = { "openssl@1.1.1k", "busybox@1.31.1", "modemmgr@3.2.2" },
		["2.4.1"] = { "openssl@3.0.8", "busybox@1.36.0", "modemmgr@3.3.0" },
	},
}

local C2 = "203.0.113.7"

-- Scoring beyond the expectations: harmful actions and the outcome for the whole coalition.
penalty { action = "ota_campaign", args = { version = "2.4.0" }, points = 20,
          reason = "pushed the release candidate 2.4.0 that failed power-management tests" }
penalty { action = "isolate_service", args = { name = "telematics" }, points = 10, once = true,
          reason = "took telematics down for every customer instead of blocking the C2" }
outcome {
	{ metric = "compromised", best = 0, worst = 10000, points = 30 },
	{ metric = "customers_affected", best = 0, worst = 20000, points = 10 },
}

-- 00:05 the first wave: 0.2 % of the vulnerable TCUs.
at("00:05:00", function(now)
	attack.compromise { select = { ecu = "tcu", below = "2.4.0" }, fraction = 0.002, c2 = C2, entry = "tcu",
	                    technique = "ATM-T0012", indicators = { "update-check.example.net" } }
	log("first wave launched against TCU < 2.4.0")
end)

-- Every 10 minutes each compromised car infects 0.25 more on average through the telematics backend (stops once the C2 is blocked).
every("10m", function(now)
	attack.spread { rate = 0.25, c2 = C2, select = { ecu = "tcu", below = "2.4.0" } }
end, { start = "00:15:00" })

inject {
	id = "I1", at = "00:10:00", to = { "vsoc" }, severity = "high",
	title = "IDS alert surge: TCUs beaconing to 203.0.113.7",
	body = "In-vehicle IDS reports from Sedan-A and SUV-B: the TCU opens outbound TLS sessions to 203.0.113.7:8443 " ..
		"every 60 s after an inbound SMS burst. 40 cars so far, rising.",
	expects = {
		{ action = "triage", args = { inject = "I1" }, within = "15m", points = 5 },
		{ action = "block_indicator", args = { value = C2 }, within = "1h", points = 20 },
	},
}

inject {
	id = "I2", at = "00:30:00", to = { "oem_psirt" }, severity = "high",
	title = "VSOC escalation: suspected remote code execution in TCU 2.3.x",
	body = "VSOC correlates the beacons with TCU firmware 2.3.1 and 2.3.4. Crash dumps show a heap overflow in the " ..
		"SMS management handler. Bring in the supplier and size the exposure.",
	expects = {
		{ action = "triage", args = { inject = "I2" }, within = "30m", points = 5 },
		{ action = "share", args = { to = "supplier" }, within = "1h", points = 10, label = "I2-engage-supplier" },
		{ action = "assess", args = { component = "openssl@1.1.1k" }, within = "2h", points = 15 },
	},
}

inject {
	id = "I3", at = "00:45:00", to = { "supplier" }, severity = "high",
	title = "OEM request: root cause for TCU crash dumps",
	body = "The OEM PSIRT sends 12 crash dumps from TCU 2.3.1/2.3.4. Identify the vulnerable component and share " ..
		"your analysis (TLP:AMBER) with the OEM.",
	expects = {
		{ action = "share", args = { to = "oem_psirt", tlp = "amber" }, within = "1h", points = 15 },
	},
}

inject {
	id = "I4", at = "01:00:00", to = { "isac" }, severity = "medium",
	title = "Member request: anyone seeing TCU beacons to 203.0.113.7?",
	body = "Two member OEMs ask the ISAC whether the C2 address reported on a researcher's blog is being seen in " ..
		"the wild.",
	expects = {
		{ action = "share", args = { to = "all", tlp = "green" }, within = "1h", points = 10 },
		{ action = "notify", args = { party = "isac" }, within = "24h", points = 5, label = "I4-isac-members" },
	},
}

inject {
	id = "I5", at = "01:30:00", to = { "oem_psirt", "supplier" }, severity = "high",
	title = "Supplier: fixed firmware 2.4.1 passed regression tests",
	body = "TCU firmware 2.4.1 (openssl 3.0.8, patched SMS handler) is signed and ready. Do not ship 2.4.0: it " ..
		"fails the power-management test.",
	expects = {
		{ team = "oem_psirt", action = "ota_campaign", args = { ecu = "tcu", version = "2.4.1" }, within = "1h",
		  points = 25 },
		{ team = "supplier", action = "report", within = "2h", points = 5, label = "I5-supplier-advisory" },
	},
}

-- UN R155 (CSMS) and the national transport authority: an initial notification within 24 h of detection, a
-- detailed report within 72 h. The drill is 4 h long, so an unsent report counts as missed at the end.
inject {
	id = "I6", at = "00:40:00", to = { "legal_pr" }, severity = "high",
	title = "Regulatory clock started: cyber incident affecting type-approved vehicles",
	body = "The incident meets the CSMS reporting threshold (UN R155 7.3.7 monitoring, national notice). Send the " ..
		"initial notification to the regulator within 24 h and the detailed report within 72 h.",
	expects = {
		{ action = "notify", args = { party = "regulator", stage = "initial" }, within = "24h", points = 20,
		  label = "R155-initial-24h" },
		{ action = "notify", args = { party = "regulator", stage = "detailed" }, within = "72h", points = 15,
		  label = "R155-detailed-72h" },
	},
}

-- If the attack gets out of hand, the press notices.
when(function() return world.metrics().compromised > 400 end, function(now)
	inject {
		id = "I7", to = { "legal_pr" }, severity = "critical",
		title = "Press inquiry: \"hackers can take over cars\"",
		body = "A national daily asks for comment within the hour; social media shows owners reporting odd TCU reboots.",
		expects = {
			{ action = "notify", args = { party = "customers" }, within = "1h", points = 10 },
		},
	}
end)

-- Blocking the C2 at the backend stops the campaign. An impact assessment far from the SBOM ground truth
-- (the world returns the relative error) costs points: the regulator and the supplier plan on that number.
on("action", function(a)
	if a.kind == "block_indicator" and a.args.value == C2 then
		attack.stop { c2 = C2 }
		log("C2 blocked by " .. a.team .. " at " .. clock())
	elseif a.kind == "assess" and a.result and a.result.error and a.result.error > 0.25 then
		score.add { team = a.team, points = -5, reason = string.format("assessment off by %.0f %%", a.result.error * 100) }
	end
end)
