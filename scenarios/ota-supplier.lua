-- ota-supplier: a poisoned over-the-air update from a compromised tier-1 supplier build system.
--
-- Story: attackers inside the infotainment (IVI) supplier's CI pipeline slip a backdoor into IVI firmware 5.2.0.
-- The package is signed by the supplier's own build key, so the OEM's OTA backend accepts it and starts a staged
-- rollout. The backdoored IVI phones home to a C2 and a bad power-management patch bricks some head units.
-- Detection comes from the vehicle SOC (odd DNS from IVIs) and from an ISAC partner who saw the same C2.
-- The response: pause the poisoned campaign on the OTA server (not the whole OTA service: the clean build must go
-- out through it), revoke the supplier's signing certificate, roll the fleet forward to a clean build, and run the
-- supply-chain disclosure (supplier, ISAC, PPC and MLIT, customers).
--
--   supplier   confirm the build compromise, share the IOCs and the clean build hash with the OEM, report
--   oem_psirt  pause the poisoned campaign, revoke the signing key, push clean 5.2.1, size the exposure from the SBOM
--   vsoc       triage the DNS anomaly, block the C2 domain
--   isac       pass the partner warning on (TLP:AMBER to the OEM), then a TLP:GREEN advisory to members
--   legal_pr   MLIT (UN R156 software-update management, R155 monitoring), PPC 速報/確報 (APPI: location history
--              uploaded to the C2), contract notice to the supplier, customer notice for bricked units
scenario {
	id = "ota-supplier",
	title = "Poisoned OTA update from a compromised supplier build system",
	description = "A backdoored IVI firmware signed with the supplier's build key rolls out over the air; halt it, " ..
		"revoke the key, restore a clean build and run the supply-chain disclosure.",
	duration = "6h",
	seed = 11,
	techniques = { "T1195.002", "ATM-T0017", "ATM-T0054", "ATM-T0063" },  -- ATT&CK/ATM supply chain compromise; ATM reprogram ECU via its update mechanism; ATM internet communication (C2)
}

teams {
	{ id = "oem_psirt", name = "OEM PSIRT" },
	{ id = "supplier", name = "Tier-1 IVI supplier" },
	{ id = "vsoc", name = "Vehicle SOC" },
	{ id = "isac", name = "ISAC liaison" },
	{ id = "legal_pr", name = "Legal & PR" },
}

-- 100,000 cars; every cohort runs IVI 5.1.x from the same supplier.
fleet {
	{ model = "Sedan-A", count = 50000, region = "JP-Kanto", ecus = { tcu = "2.4.1", gw = "1.5.0", ivi = "5.1.0" } },
	{ model = "SUV-B", count = 30000, region = "JP-Kansai", ecus = { tcu = "2.4.1", gw = "1.5.0", ivi = "5.1.2" } },
	{ model = "Van-D", count = 20000, region = "JP-Tohoku", ecus = { tcu = "2.4.1", gw = "1.5.0", ivi = "5.1.2" } },
}

sbom {
	ivi = {
		["5.1.0"] = { "linux@5.10.120", "gstreamer@1.20.3", "libcurl@7.84.0" },
		["5.1.2"] = { "linux@5.10.120", "gstreamer@1.20.3", "libcurl@7.84.0" },
		["5.2.1"] = { "linux@5.10.120", "gstreamer@1.20.3", "libcurl@7.86.0" },
	},
}

-- The poisoned 5.2.0 as the VSOC's scanner saw it (CycloneDX, beside this file): it contains a component the
-- supplier's release SBOM does not list. Assessments of telemetry-agent@0.9.1 are scored against it.
sbom.load("ota-supplier.ivi-5.2.0.cdx.json")

local C2 = "ivi-telemetry.example.org"

penalty { action = "ota_campaign", args = { version = "5.2.0" }, points = 30,
          reason = "re-pushed the backdoored build 5.2.0" }
penalty { action = "revoke_certificate", args = { scope = "all" }, points = 15, once = true,
          reason = "revoked every vehicle certificate instead of the supplier's signing key" }
penalty { action = "isolate_service", args = { name = "ota" }, points = 5, once = true,
          reason = "took the whole OTA service down instead of pausing the poisoned campaign" }
-- The effect of the response weighs three times its expectations: a harm outcome (docs/scenario-api.md, "The
-- harm index in the scores") with worst = the harm when nobody acts (impact.baseline of kyodo run --json) and
-- best = the good script's (impact.harm), rounded: 2,477,063 and 58,438. A coalition that files every paper and
-- changes nothing earns at most a quarter of the good joint score (test_impact).
outcome {
	{ metric = "compromised", best = 0, worst = 40000, points = 25 },
	{ metric = "bricked", best = 0, worst = 1000, points = 15 },
	{ metric = "harm", best = 58500, worst = 2470000, points = 585 },
}

-- What the pages show of the fleet for this drill: tiles and chart series (each series on its own scale).
dashboard {
	tiles = { "total", "compromised", "bricked", "patched", "customers_affected" },
	series = { "compromised", "bricked", "patched" },
}

-- 00:15 the supplier's build-signing key is in the attackers' hands (the PKI trust chain is compromised);
-- 00:20 the poisoned package is published and the OTA backend rolls it out to 10 % of the targeted cars per hour.
-- Revoking the signing key (revoke_certificate { scope = "signing_key" }) makes the cars reject it.
at("00:15:00", function()
	service.degrade { name = "pki", level = "compromised" }
end)
at("00:20:00", function()
	local r = attack.malicious_ota { ecu = "ivi", version = "5.2.0", rollout = 0.1, brick_fraction = 0.01, c2 = C2,
	                                 select = { ecu = "ivi", below = "5.2.0" }, technique = "T1195.002" }
	log("malicious OTA accepted: " .. tostring(r and r.accepted))
end)

inject {
	id = "S1", at = "00:50:00", to = { "vsoc" }, severity = "high",
	title = "DNS anomaly: IVIs resolving ivi-telemetry.example.org",
	body = "Since 00:35, head units that just installed IVI 5.2.0 resolve ivi-telemetry.example.org and upload " ..
		"4 KB every 5 minutes. The domain is not in the supplier's documented endpoints.",
	expects = {
		{ action = "triage", args = { inject = "S1" }, within = "15m", points = 5 },
		{ action = "block_indicator", args = { value = C2 }, within = "1h", points = 20 },
	},
}

inject {
	id = "S2", at = "01:00:00", to = { "isac" }, severity = "high",
	title = "Partner warning: same C2 seen at another OEM's supplier",
	body = "A member OEM reports that its supplier's Jenkins server was breached two weeks ago; the implant beacons " ..
		"to ivi-telemetry.example.org. Please pass on to affected members.",
	expects = {
		{ action = "share", args = { to = "oem_psirt", tlp = "amber" }, within = "30m", points = 10 },
		{ action = "share", args = { to = "all", tlp = "green" }, within = "3h", points = 10, label = "S2-advisory" },
	},
}

inject {
	id = "S3", at = "01:10:00", to = { "oem_psirt" }, severity = "critical",
	title = "OTA campaign 5.2.0 is not the build the supplier released",
	body = "The hash of the IVI 5.2.0 package of OTA campaign 1 differs from the supplier's release record. The " ..
		"package is signed with the supplier's build key. The rollout is still running.",
	expects = {
		{ action = "pause_ota_campaign", args = { campaign = 1 }, within = "30m", points = 20, label = "S3-halt-rollout" },
		{ action = "revoke_certificate", args = { scope = "signing_key" }, within = "2h", points = 15,
		  label = "S3-revoke-signing-key" },
		{ action = "share", args = { to = "supplier" }, within = "30m", points = 10 },
		{ action = "assess", args = { component = "telemetry-agent@0.9.1" }, within = "2h", points = 10 },
	},
}

inject {
	id = "S4", at = "01:20:00", to = { "supplier" }, severity = "critical",
	title = "OEM: was your build pipeline compromised?",
	body = "The OEM asks for confirmation, the indicators and the hash of the genuine 5.2.x build within the hour.",
	expects = {
		{ action = "share", args = { to = "oem_psirt" }, within = "1h", points = 15, label = "S4-confirm-and-iocs" },
		{ action = "report", within = "3h", points = 10, label = "S4-incident-report" },
	},
}

inject {
	id = "S5", at = "02:30:00", to = { "oem_psirt", "supplier" }, severity = "high",
	title = "Clean IVI 5.2.1 rebuilt on an isolated pipeline",
	body = "The supplier rebuilt IVI 5.2.1 from a verified commit on a clean, offline build host, signed with a new " ..
		"key. Push it to the affected cars.",
	expects = {
		{ team = "oem_psirt", action = "ota_campaign", args = { ecu = "ivi", version = "5.2.1" }, within = "1h",
		  points = 25 },
	},
}

-- Reporting, by its real sources (a Japanese OEM, cars registered in Japan):
--  - UN R156 (software update management system, SUMS) and R155 7.4.1 (CSMS monitoring): a malicious update
--    delivered through the OEM's own OTA process is reported to the approval authority, MLIT; no clock is set,
--    the drill asks for a notice the same day (assumption).
--  - APPI Art. 26: the implant uploads location history, a leak of personal data by unauthorized access: PPC 速報
--    promptly (about 3-5 days per the PPC guidelines), 確報 within 60 days.
--  - the supply contract's security clause: a formal notice to the supplier (assumption: within 2 h).
inject {
	id = "S6", at = "01:30:00", to = { "legal_pr" }, severity = "high",
	title = "Reporting: a malicious software update reached type-approved vehicles",
	body = "Legal: the poisoned update went out through our own OTA process, a failure of the software-update " ..
		"management system approved under UN R156: notify MLIT today. The implant uploads location history, a leak of " ..
		"personal data by unauthorized access under the APPI: PPC 速報 within about 3-5 days, 確報 within 60 days. " ..
		"Send the supplier the formal notice under the supply contract.",
	expects = {
		{ action = "notify", args = { party = "mlit", stage = "initial" }, within = "8h", points = 15,
		  label = "R156-SUMS-MLIT-notice" },
		{ action = "notify", args = { party = "ppc", stage = "initial" }, within = "3d", points = 10,
		  label = "APPI-PPC-sokuho-3-5d" },
		{ action = "notify", args = { party = "ppc", stage = "final" }, within = "60d", points = 5,
		  label = "APPI-PPC-kakuho-60d" },
		{ action = "notify", args = { party = "supplier" }, within = "2h", points = 5, label = "S6-contract-notice" },
	},
}

-- Bricked head units reach the call centre.
when(function() return world.metrics().bricked > 50 end, function(now)
	inject {
		id = "S7", to = { "legal_pr", "oem_psirt" }, severity = "high",
		title = "Call centre: head units stuck on boot logo after update",
		body = "Dealers report IVIs that no longer boot after last night's update; owners post videos.",
		expects = {
			{ team = "legal_pr", action = "notify", args = { party = "customers" }, within = "2h", points = 10 },
		},
	}
end)

on("action", function(a)
	if a.kind == "block_indicator" and a.args.value == C2 then attack.stop { c2 = C2 } end
end)
