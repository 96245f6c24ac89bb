-- ota-supplier: a poisoned over-the-air update from a compromised tier-1 supplier build system.
--
-- Story: attackers inside the infotainment (IVI) supplier's CI pipeline slip a backdoor into IVI firmware 5.2.0.
-- The package is signed by the supplier's own build key, so the OEM's OTA backend accepts it and starts a staged
-- rollout. The backdoored IVI phones home to a C2 and a bad power-management patch bricks some head units.
-- Detection comes from the vehicle SOC (odd DNS from IVIs) and from an ISAC partner who saw the same C2.
-- The response: stop the rollout (isolate the OTA service), revoke the supplier's signing certificate, roll the
-- fleet back/forward to a clean build, and run the supply-chain disclosure (supplier, ISAC, regulator, customers).
--
--   supplier   confirm the build compromise, share the IOCs and the clean build hash with the OEM, report
--   oem_psirt  halt the campaign, revoke the signing key, push clean 5.2.1, size the exposure from the SBOM
--   vsoc       triage the DNS anomaly, block the C2 domain
--   isac       pass the partner warning on (TLP:AMBER to the OEM), then a TLP:GREEN advisory to members
--   legal_pr   UN R155 initial notification (24 h) and detailed report (72 h), customer notice for bricked units
scenario {
	id = "ota-supplier",
	title = "Poisoned OTA update from a compromised supplier build system",
	description = "A backdoored IVI firmware signed with the supplier's build key rolls out over the air; halt it, " ..
		"revoke the key, restore a clean build and run the supply-chain disclosure.",
	duration = "6h",
	seed = 11,
	techniques = { "T1195.002", "ATM-T0023", "ATM-T0031" },  -- supply-chain compromise of software, malicious OTA, C2
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
outcome {
	{ metric = "compromised", best = 0, worst = 40000, points = 25 },
	{ metric = "bricked", best = 0, worst = 1000, points = 15 },
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
	body = "The hash of the 5.2.0 package in the OTA backend differs from the supplier's release record. The package " ..
		"is signed with the supplier's build key. The rollout is still running.",
	expects = {
		{ action = "isolate_service", args = { name = "ota" }, within = "30m", points = 20, label = "S3-halt-rollout" },
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
		"key. Restore the OTA service and push it to the affected cars.",
	expects = {
		{ team = "oem_psirt", action = "ota_campaign", args = { ecu = "ivi", version = "5.2.1" }, within = "1h",
		  points = 25 },
	},
}

inject {
	id = "S6", at = "01:30:00", to = { "legal_pr" }, severity = "high",
	title = "Regulatory clock: supply-chain incident affecting type-approved vehicles",
	body = "Legal assesses the incident as reportable under the CSMS (UN R155) and the personal-data rules " ..
		"(IVI uploads location history). Initial notice within 24 h, detailed report within 72 h.",
	expects = {
		{ action = "notify", args = { party = "regulator", stage = "initial" }, within = "24h", points = 20,
		  label = "R155-initial-24h" },
		{ action = "notify", args = { party = "regulator", stage = "detailed" }, within = "72h", points = 10,
		  label = "R155-detailed-72h" },
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
