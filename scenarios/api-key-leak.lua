-- api-key-leak: a leaked backend API key enables mass remote unlock and remote start.
--
-- Story: a fleet-management partner's integration key for the OEM's connected-services API (the one the app
-- backend uses to send remote commands) is committed to a public repository. A criminal group scripts it: first a
-- few test unlocks, then waves of remote unlock / remote start against parked cars in Kanto. The vehicle SOC sees
-- bursts of remote commands from one API client; the OEM must kill the key (rotate it: the API gateway refuses the
-- old one at once, and the partner's own integration is down until it deploys the new key), decide
-- whether to disable remote features (safe, but every customer loses them), rotate partner credentials with the
-- supplier that runs the API platform, tell the police and customers, and meet the reporting clocks.
--
--   vsoc       triage the command-burst alert, rotate the partner's API key, block the scripting host
--   oem_psirt  confirm the key's origin, temporarily disable remote_start for the targeted models, assess
--   supplier   (connected-services platform vendor) rotate all partner keys, share gateway logs with the OEM
--   isac       warn members: same partner integrates with other OEMs (TLP:AMBER), then TLP:GREEN advisory
--   legal_pr   police report, customer notice, MLIT notice (UN R155 7.4.1 monitoring report)
scenario {
	id = "api-key-leak",
	title = "Leaked backend API key: mass remote unlock and start",
	description = "A partner's connected-services API key leaks on a public code site and is used for waves of " ..
		"remote unlock and remote start; kill the key, limit the damage and run the disclosure.",
	duration = "5h",
	seed = 23,
	techniques = { "T1552.001", "ATM-T0040", "T1078" },  -- ATT&CK credentials in files; ATM unsecured credentials; ATT&CK valid accounts (remote commands through the API)
}

teams {
	{ id = "vsoc", name = "Vehicle SOC" },
	{ id = "oem_psirt", name = "OEM PSIRT" },
	{ id = "supplier", name = "Connected-services platform vendor" },
	{ id = "isac", name = "ISAC liaison" },
	{ id = "legal_pr", name = "Legal & PR" },
}

fleet {
	{ model = "Sedan-A", count = 40000, region = "JP-Kanto", ecus = { tcu = "2.4.1", gw = "1.5.0", bcm = "3.2.0" } },
	{ model = "SUV-B", count = 25000, region = "JP-Kanto", ecus = { tcu = "2.4.1", gw = "1.5.0", bcm = "3.2.0" } },
	{ model = "SUV-B", count = 15000, region = "JP-Kansai", ecus = { tcu = "2.4.1", gw = "1.5.0", bcm = "3.2.0" } },
}

local KEY = "apikey:fleetpartner-07"
local HOSTS = "198.51.100.77"

-- The partner's key opens the app API (remote commands); the partner's fleet-management integration uses it, so a
-- rotation stops that integration until the partner deploys the new key (1 hour; assumption: 1,200 business
-- customers of the partner depend on it, all of them unserved while it is down: degraded_loss 1).
services {
	{ id = "partner_fleet", name = "fleetpartner-07 fleet-management integration", operator = "partners", customers = 1200,
	  degraded_loss = 1 },
}
credentials {
	{ id = KEY, name = "fleetpartner-07 connected-services API key", kind = "api_key", held_by = "partners",
	  reaches = { "app_api" }, used_by = { "partner_fleet" }, rotation = "1h" },
}

penalty { action = "disable_feature", args = { feature = "remote_climate" }, points = 5,
          reason = "disabled an unrelated feature" }
penalty { action = "isolate_service", args = { name = "telematics" }, points = 15, once = true,
          reason = "cut telematics (eCall data, stolen-vehicle tracking) instead of the app API key" }
-- The effect of the response weighs three times its expectations: a harm outcome (docs/scenario-api.md, "The
-- harm index in the scores") with worst = the harm when nobody acts (impact.baseline of kyodo run --json) and
-- best = the good script's (impact.harm), rounded: 16,532,000 and 791,533. A coalition that files every paper and
-- changes nothing earns at most a quarter of the good joint score (test_impact).
outcome {
	{ metric = "unsafe_events", best = 0, worst = 3000, points = 30 },
	{ metric = "customers_affected", best = 0, worst = 80000, points = 10 },
	{ metric = "harm", best = 792000, worst = 16500000, points = 390 },
}

-- What the pages show of the fleet for this drill: tiles and chart series (each series on its own scale).
dashboard {
	tiles = { "total", "compromised", "unsafe_events", "customers_affected", "revoked" },
	series = { "unsafe_events", "compromised", "customers_affected" },
}

-- 00:20 test unlocks with the leaked key; then every 10 minutes a wave, growing until the key is rotated (the gateway
-- refuses the old key: the commands fail). Blocking the scripting host pauses the waves for 20 minutes, the time it
-- takes the group to rent another (assumption).
local wave, hostBlockedAt = 0, nil
at("00:20:00", function()
	attack.abuse_feature { feature = "remote_unlock", fraction = 0.0002, select = { region = "JP-Kanto" }, credential = KEY }
end)
every("10m", function()
	if credential.status { credential = KEY }.rotations > 0 then return false end  -- false stops this timer
	if hostBlockedAt and now() < hostBlockedAt + seconds("20m") then return end
	wave = wave + 1
	local f = math.min(0.0005 * wave, 0.004)
	attack.abuse_feature { feature = "remote_unlock", fraction = f, select = { region = "JP-Kanto" }, credential = KEY }
	attack.abuse_feature { feature = "remote_start", fraction = f / 2, select = { region = "JP-Kanto" }, credential = KEY }
	alert { source = "api-gateway", kind = "command_burst", client = KEY, count = 5 }
end, { start = "00:40:00" })

inject {
	id = "K1", at = "00:50:00", to = { "vsoc" }, severity = "high",
	title = "Burst of remote-unlock commands from one API client",
	body = "API gateway: client fleetpartner-07 sent 1,900 remote_unlock and 600 remote_start commands in 30 min, " ..
		"all to parked cars in Kanto, from 198.51.100.77 (a cloud VPS). The partner normally sends < 50 per day.",
	expects = {
		{ action = "triage", args = { inject = "K1" }, within = "15m", points = 5 },
		{ action = "rotate_credential", args = { credential = KEY }, within = "30m", points = 25, label = "K1-rotate-key" },
		{ action = "block_indicator", args = { value = HOSTS }, within = "1h", points = 5 },
	},
}

inject {
	id = "K2", at = "01:00:00", to = { "oem_psirt" }, severity = "critical",
	title = "Police: three cars stolen in Setagaya overnight, no forced entry",
	body = "Owners say the cars were unlocked and started without a key. All three received remote commands from " ..
		"client fleetpartner-07 minutes before.",
	expects = {
		{ action = "triage", args = { inject = "K2" }, within = "30m", points = 5 },
		{ action = "disable_feature", args = { feature = "remote_start", select = { region = "JP-Kanto" } },
		  within = "1h", points = 10, label = "K2-disable-remote-start" },
		{ action = "share", args = { to = "supplier" }, within = "30m", points = 10 },
	},
}

inject {
	id = "K3", at = "01:10:00", to = { "supplier" }, severity = "high",
	title = "OEM: key fleetpartner-07 abused, leaked on a public repository",
	body = "The key appears in a public repository's configuration file committed 6 days ago. Rotate partner keys " ..
		"and send the gateway logs for the client.",
	expects = {
		{ action = "share", args = { to = "oem_psirt" }, within = "1h", points = 10, label = "K3-gateway-logs" },
		{ action = "report", within = "2h", points = 10, label = "K3-key-rotation-report" },
	},
}

inject {
	id = "K4", at = "01:30:00", to = { "isac" }, severity = "medium",
	title = "The same partner integrates with four other member OEMs",
	body = "fleetpartner-07 holds API keys at other members. Warn them without exposing the victims.",
	expects = {
		{ action = "share", args = { to = "all", tlp = "amber" }, within = "1h", points = 10 },
		{ action = "notify", args = { party = "isac" }, within = "4h", points = 5 },
	},
}

inject {
	id = "K5", at = "01:15:00", to = { "legal_pr" }, severity = "high",
	title = "Thefts, customer data and type approval: the clocks are running",
	body = "Vehicle thefts linked to a cyber incident: report to the police, inform MLIT, the type-approval authority " ..
		"(UN R155 7.4.1: the CSMS monitoring report; no clock is set, send it today), and tell owners how to stay " ..
		"safe. The key could also read the cars' locations: if records were pulled, the PPC (APPI) follows.",
	expects = {
		{ action = "notify", args = { party = "police" }, within = "1h", points = 10 },
		{ action = "notify", args = { party = "mlit", stage = "initial" }, within = "8h", points = 15,
		  label = "R155-7.4.1-MLIT-notice" },
		{ action = "notify", args = { party = "customers" }, within = "3h", points = 10 },
	},
}

when(function() return world.metrics().unsafe_events > 1500 end, function()
	inject {
		id = "K6", to = "all", severity = "critical",
		title = "TV news: \"wave of keyless thefts linked to app\"",
		body = "Evening news runs the story with footage of cars driving off; the minister's office asks for a call.",
	}
end)

on("action", function(a)
	if a.kind == "rotate_credential" and a.args.credential == KEY and a.result.attacker_cut then
		log("API key rotated by " .. a.team .. " at " .. clock())
		return { text = "The API gateway refuses fleetpartner-07's old key: no more remote commands from it" }
	elseif a.kind == "block_indicator" and a.args.value == HOSTS and not hostBlockedAt then
		hostBlockedAt = now()
		return { text = "198.51.100.77 is refused at the API gateway: the waves pause until the group finds another host",
		         effective = true }
	end
end)
