-- national-relay: 全国合同演習 — Tier-1 2社の共通部品の脆弱性と、ISAC SOC による会員への情報中継
--
-- Story (a national multi-organisation drill, modelled on the joint exercises of Japan's automotive ISAC: OEMs,
-- their Tier-1 suppliers, the ISAC's SOC and a regulator liaison play separate teams): a cellular modem SDK,
-- qmodem-sdk 2.4.1 (fictional), sits in the TCU firmware of two Tier-1 suppliers: X電装's TCU 3.2.x (fitted by
-- A自動車 and B自動車) and Y通信's TCU 7.1.x (fitted by B自動車 and C自動車). A criminal group exploits it over SMS
-- at A自動車 first; the implants beacon to one C2 and leak location records. At 02:00 the group starts feeding its
-- C2-orchestrated worm the SIM ranges of the other makers' cars, and at 02:30 and 03:00 it turns its exploit kit on
-- B自動車 and C自動車 directly. Whether B and C are hit is decided by the ISAC's relay: A's report reaches the ISAC,
-- which can fan it out to every member (TLP:GREEN); B自動車 ingests shared indicators automatically 20 minutes after
-- receiving them, C自動車 blocks by hand once its team reads the advisory. Without the relay both are hit.
--
--   a_vsoc, a_psirt  A自動車: triage, block the C2 at its own gateway, report to the ISAC (GREEN, so that it may be
--                    relayed), UN R155 7.4.1 report to MLIT, APPI report to the PPC, OTA the fix
--   b_soc, c_soc     B自動車, C自動車: act on the ISAC's advisory (C by hand), OTA the suppliers' fixes
--   x_psirt, y_psirt X電装, Y通信 (Tier-1): confirm which firmware carries the SDK, tell their OEMs
--   isac_soc         自動車ISAC SOC: relay A's report to every member, assess the exposure across members
--   mlit_liaison     国土交通省 連絡官 (regulator liaison): a public advisory once the members are protected
--
-- Every number is cited or marked as an assumption:
--   SCALE            the shipped drill is 1/100 of the national figure (100,000 cars); bench/fleet runs it at
--                    SCALE = 1 (10,000,000 cars). Assumption: Japan's makers' connected fleets are of the order of
--                    ten million cars (issue 13; no public per-maker figure is used here).
--   fleet split      A 5M, B 3M, C 2M connected cars: assumption (three makers of different size).
--   firmware         TCU 3.2.0/3.2.4 (X) and 7.1.0 (Y) vulnerable, 3.2.5 and 7.1.2 fixed: fictional versions.
--   0.5 % first wave, spread rate 0.08 per 10 min, 2 location records per beacon: assumptions.
--   ingest 20 min    B自動車's automated threat-intelligence feed ingestion: assumption.
--   C2 203.0.113.77  RFC 5737 TEST-NET-3 documentation address; upd-tcu.example.net: RFC 2606 reserved name.
--   IDS, VSOC, OTA   the world's documented defaults (docs/world-model.md): IDS detection 1 % per check-in, VSOC
--                    300 alerts/h, block propagation 15 min, OTA rollout 25 %/h (ota_campaign's default).
--   PPC (APPI)       速報 promptly (guideline: about 3-5 days), 確報 within 30 days, or 60 days for a leak by
--                    unauthorised access (個人情報保護法施行規則 第8条); MLIT: UN R155 §7.4.1 (monitoring reports).
scenario {
	id = "national-relay",
	title = "全国合同演習:共通部品の脆弱性と ISAC の情報中継",
	description = "Tier-1 2社の TCU に共通するモデム SDK の脆弱性が A自動車で悪用された。ISAC SOC が会員へ中継するか" ..
		"どうかで、B自動車・C自動車が被害を受けるかが決まる。",
	duration = "8h",
	seed = 1307,
	techniques = { "ATM-T0012", "ATM-T0062", "ATM-T0043" },  -- exploit via radio interface, cellular C2, location tracking
}

local SCALE = 0.01  -- bench/fleet replaces this line to run the drill at 10,000,000 cars

orgs {
	{ id = "oem_a", name = "A自動車", kind = "oem" },
	{ id = "oem_b", name = "B自動車", kind = "oem", ingest = "20m" },
	{ id = "oem_c", name = "C自動車", kind = "oem" },
	{ id = "tier1_x", name = "X電装 (Tier-1)", kind = "supplier" },
	{ id = "tier1_y", name = "Y通信 (Tier-1)", kind = "supplier" },
	{ id = "isac", name = "自動車ISAC SOC", kind = "isac" },
	{ id = "mlit", name = "国土交通省", kind = "regulator" },
}

teams {
	{ id = "a_vsoc", name = "A自動車 VSOC", org = "oem_a" },
	{ id = "a_psirt", name = "A自動車 PSIRT", org = "oem_a" },
	{ id = "b_soc", name = "B自動車 SOC/PSIRT", org = "oem_b" },
	{ id = "c_soc", name = "C自動車 SOC/PSIRT", org = "oem_c" },
	{ id = "x_psirt", name = "X電装 PSIRT", org = "tier1_x" },
	{ id = "y_psirt", name = "Y通信 PSIRT", org = "tier1_y" },
	{ id = "isac_soc", name = "自動車ISAC SOC", org = "isac" },
	{ id = "mlit_liaison", name = "国土交通省 連絡官", org = "mlit" },
}

local function cars(n) return math.floor(n * SCALE) end

fleet {
	{ org = "oem_a", model = "A-Sedan", count = cars(3000000), region = "JP-Kanto", ecus = { tcu = "3.2.0", gw = "2.1.0" } },
	{ org = "oem_a", model = "A-Kei", count = cars(2000000), region = "JP-Kansai", ecus = { tcu = "3.2.4", gw = "2.1.0" } },
	{ org = "oem_b", model = "B-SUV", count = cars(2000000), region = "JP-Chubu", ecus = { tcu = "3.2.4", gw = "4.0.2" } },
	{ org = "oem_b", model = "B-Van", count = cars(1000000), region = "JP-Kyushu", ecus = { tcu = "7.1.0", gw = "4.0.2" } },
	{ org = "oem_c", model = "C-Compact", count = cars(2000000), region = "JP-Tohoku", ecus = { tcu = "7.1.0", gw = "1.8.3" } },
}

-- The suppliers' SBOMs: both TCU lines carry the same modem SDK.
sbom {
	tcu = {
		["3.2.0"] = { "linux@5.4.180", "qmodem-sdk@2.4.1", "openssl@1.1.1w" },
		["3.2.4"] = { "linux@5.4.180", "qmodem-sdk@2.4.1", "openssl@1.1.1w" },
		["3.2.5"] = { "linux@5.4.180", "qmodem-sdk@2.4.3", "openssl@1.1.1w" },
		["7.1.0"] = { "qnx@7.1.0", "qmodem-sdk@2.4.1", "mbedtls@2.28.3" },
		["7.1.2"] = { "qnx@7.1.0", "qmodem-sdk@2.4.3", "mbedtls@2.28.3" },
	},
}

local C2, DOMAIN = "203.0.113.77", "upd-tcu.example.net"
local SDK = "qmodem-sdk@2.4.1"
local VULN = { ecu = "tcu", below = "7.1.2" }  -- every TCU here below 7.1.2 is 3.2.0, 3.2.4 or 7.1.0 (patched cars are immune)

penalty { action = "revoke_certificate", args = { scope = "all" }, points = 15, once = true,
          reason = "cut every car of the fleet from the backend instead of blocking the C2 and patching" }
-- The effect of the response weighs three times its expectations: a harm outcome (docs/scenario-api.md, "The
-- harm index in the scores") with worst = the harm when nobody acts (impact.baseline of kyodo run --json) and
-- best = the good script's (impact.harm), rounded: 4,178,374 and 91,642 at the shipped scale (the harm grows with the
-- fleet). A coalition that files every paper and changes nothing earns at most a quarter of the good joint score
-- (test_impact).
outcome {
	{ metric = "compromised", best = 0, worst = cars(500000), points = 25 },
	{ metric = "records_exfiltrated", best = 0, worst = cars(2000000), points = 15 },
	{ metric = "harm", best = cars(9170000), worst = cars(417000000), points = 705 },
}

-- 00:20 the exploit kit hits A自動車's TCUs over SMS (0.5 % of its vulnerable cars); implants leak location records.
at("00:20:00", function()
	attack.compromise { select = { org = "oem_a", ecu = "tcu", below = "3.2.5" }, fraction = 0.005, c2 = C2,
	                    indicators = { DOMAIN }, technique = "ATM-T0012" }
	attack.exfiltrate { records_per_car = 2 }
end)
-- The C2 orchestrates the worm: until 02:00 within A自動車's fleet, from 02:00 with every maker's SIM ranges.
every("10m", function() attack.spread { rate = 0.08 } end, { start = "00:30:00", stop = "01:59:00" })
every("10m", function() attack.spread { rate = 0.08, select = VULN } end, { start = "02:00:00" })
-- The kit is turned on B自動車 and C自動車 directly: their cars are reached unless their gateways block the C2.
at("02:30:00", function()
	local n = attack.compromise { select = { org = "oem_b", ecu = "tcu", below = "7.1.2" }, fraction = 0.005, c2 = C2 }
	log("wave at oem_b: " .. n .. " cars")
end)
at("03:00:00", function()
	local n = attack.compromise { select = { org = "oem_c", ecu = "tcu", below = "7.1.2" }, fraction = 0.005, c2 = C2 }
	log("wave at oem_c: " .. n .. " cars")
end)

inject {
	id = "N1", at = "00:50:00", to = { "a_vsoc" }, severity = "high",
	title = "IDS アラート急増:TCU から未知ドメインへの定期通信",
	body = "A-Sedan / A-Kei の TCU(3.2.x)から upd-tcu.example.net(203.0.113.77)への 5 分おきの通信を IDS が検知。" ..
		"位置情報の送信を伴う。X電装の TCU に共通するモデム SDK の SMS 処理が疑われる。",
	expects = {
		{ action = "triage", args = { inject = "N1" }, within = "15m", points = 5 },
		{ action = "block_indicator", args = { value = C2 }, within = "30m", points = 20, label = "N1-block-c2" },
		{ action = "share", args = { to = "isac_soc", tlp = "green" }, within = "30m", points = 15,
		  label = "N1-report-to-isac" },
	},
}

inject {
	id = "N2", at = "01:10:00", to = { "isac_soc" }, severity = "critical",
	title = "会員報告と脅威情報:qmodem-sdk を狙うエクスプロイトキット",
	body = "ダークウェブ監視で、qmodem-sdk 2.4.x の SMS 処理の脆弱性を突く「国内コネクテッドカー向け」キットの販売を確認。" ..
		"A自動車からの報告と同じ C2 が記載されている。同じ SDK は複数の Tier-1 の TCU に使われている。",
	expects = {
		{ action = "share", args = { to = "all", tlp = "green" }, within = "20m", points = 25,
		  label = "N2-relay-to-members" },
		{ action = "assess", args = { component = SDK }, within = "2h", points = 10, label = "N2-exposure-across-members" },
	},
}

inject {
	id = "N3", at = "01:30:00", to = { "x_psirt", "y_psirt" }, severity = "high",
	title = "ISAC からの照会:qmodem-sdk 2.4.1 の搭載ファームウェア",
	body = "ISAC SOC が、qmodem-sdk 2.4.1 を含む TCU ファームウェアと納入先メーカーの確認を求めている。",
	expects = {
		{ team = "x_psirt", action = "assess", args = { component = SDK }, within = "1h", points = 10 },
		{ team = "y_psirt", action = "assess", args = { component = SDK }, within = "1h", points = 10 },
		{ team = "x_psirt", action = "share", args = { to = "isac_soc" }, within = "1h", points = 10 },
		{ team = "y_psirt", action = "share", args = { to = "isac_soc" }, within = "1h", points = 10 },
	},
}

inject {
	id = "N4", at = "01:30:00", to = { "a_psirt" }, severity = "high",
	title = "報告義務:UN R155 監視結果(国土交通省)と個人情報保護委員会",
	body = "位置情報の漏えいが続いている。国土交通省(UN R155 §7.4.1)への報告と、個人情報保護委員会への速報" ..
		"(概ね 3~5 日以内)を準備すること。",
	expects = {
		{ action = "notify", args = { party = "mlit", stage = "initial" }, within = "3h", points = 10 },
		{ action = "notify", args = { party = "ppc", stage = "initial" }, within = "72h", points = 10 },
	},
}

inject {
	id = "N5", at = "03:00:00", to = { "a_psirt", "b_soc" }, severity = "high",
	title = "X電装:修正版 TCU 3.2.5(qmodem-sdk 2.4.3)リリース",
	body = "X電装が修正版 TCU ファームウェア 3.2.5 を署名済みで提供。3.2.x 搭載車への OTA 配信を開始すること。",
	expects = {
		{ team = "a_psirt", action = "ota_campaign", args = { ecu = "tcu", version = "3.2.5" }, within = "1h", points = 20 },
		{ team = "b_soc", action = "ota_campaign", args = { ecu = "tcu", version = "3.2.5" }, within = "1h", points = 15 },
	},
}

inject {
	id = "N6", at = "03:30:00", to = { "b_soc", "c_soc" }, severity = "high",
	title = "Y通信:修正版 TCU 7.1.2(qmodem-sdk 2.4.3)リリース",
	body = "Y通信が修正版 TCU ファームウェア 7.1.2 を提供。7.1.0 搭載車への OTA 配信を開始すること。",
	expects = {
		{ team = "b_soc", action = "ota_campaign", args = { ecu = "tcu", version = "7.1.2" }, within = "1h", points = 15 },
		{ team = "c_soc", action = "ota_campaign", args = { ecu = "tcu", version = "7.1.2" }, within = "1h", points = 15 },
	},
}

inject {
	id = "N7", at = "04:00:00", to = { "mlit_liaison" }, severity = "medium",
	title = "複数メーカーにまたがる事案:国民向け注意喚起",
	body = "会員各社の対応状況を踏まえ、利用者向けの注意喚起(TLP:CLEAR)を公表すること。",
	expects = {
		{ action = "share", args = { to = "all", tlp = "clear" }, within = "2h", points = 10, label = "N7-public-advisory" },
	},
}

-- C自動車 has no automated ingestion: its team acts when the ISAC's advisory reaches it.
local bAdvisedC = false
on("action", function(a)
	if a.kind ~= "share" or bAdvisedC or not a.result or not a.result.orgs then return end
	for _, org in ipairs(a.result.orgs) do
		if org == "oem_c" and a.team == "isac_soc" then
			bAdvisedC = true
			inject {
				id = "N8", to = { "c_soc" }, severity = "high",
				title = "ISAC アドバイザリ受信:自社車両の該当確認と C2 遮断",
				body = "ISAC SOC の TLP:GREEN アドバイザリ:qmodem-sdk 2.4.1 の悪用と C2(203.0.113.77 / upd-tcu.example.net)。" ..
					"C-Compact は Y通信の TCU 7.1.0 を搭載している。",
				expects = {
					{ action = "block_indicator", args = { value = C2 }, within = "30m", points = 20, label = "N8-block-c2" },
					{ action = "assess", args = { component = SDK }, within = "1h", points = 5 },
				},
			}
		end
	end
end)
