-- darkweb-leak: 公開コード共有サイトとダークウェブで見つかった顧客・車両データ漏えい(インジェクトは日本語)
--
-- Story (Japanese-language drill, modelled on the joint exercises of Japan's automotive ISAC): the ISAC's SOC,
-- which monitors vulnerability and dark-web intelligence, finds a public repository on a code-sharing site holding
-- a telematics backend configuration file with a service account credential, and then a dark-web forum post
-- selling "Japanese connected-car owner data" (names, VINs, location history). The credential still works:
-- someone is pulling records from the telematics backend. The teams must stop the bleeding (rotate the account),
-- get the repository taken down, report to the Personal Information Protection Commission (PPC: APPI 速報 within
-- about 3-5 days, 確報 within 60 days) and inform MLIT (UN R155 7.4.1 monitoring), tell customers and share
-- intelligence with the members.
--
--   isac       (ISAC liaison, with the SOC's dark-web monitoring) pass the finding to the OEM, warn members
--   vsoc       triage the unusual API pulls, block the scraping hosts
--   oem_psirt  rotate the leaked service account (the telematics backend is its issuer), assess the exposure
--   supplier   (the backend contractor whose engineer pushed the repository) take it down, rotate, report
--   legal_pr   PPC / regulator notices, customer notice, takedown requests
--
-- Inject texts are in Japanese on purpose: the participant pages and the journal must keep them intact (UTF-8).
scenario {
	id = "darkweb-leak",
	title = "顧客・車両データ漏えい:公開リポジトリとダークウェブ",
	description = "公開コード共有サイトに流出した認証情報からテレマティクス基盤のデータが抜き取られ、ダークウェブで販売" ..
		"されている。流出を止め、削除を依頼し、当局・顧客・会員へ通知する。",
	duration = "6h",
	seed = 53,
	techniques = { "T1552.001", "T1078", "T1530" },  -- credentials in files, valid accounts, data from cloud storage
}

teams {
	{ id = "isac", name = "ISAC 連絡担当(SOC)" },
	{ id = "vsoc", name = "車両SOC" },
	{ id = "oem_psirt", name = "OEM PSIRT" },
	{ id = "supplier", name = "バックエンド委託先" },
	{ id = "legal_pr", name = "法務・広報" },
}

fleet {
	{ model = "Sedan-A", count = 60000, region = "JP-Kanto", ecus = { tcu = "2.4.1", gw = "1.5.0", ivi = "5.2.1" } },
	{ model = "Kei-C", count = 40000, region = "JP-Chubu", ecus = { tcu = "2.4.1", gw = "1.5.0", ivi = "5.2.1" } },
}

local SCRAPER = "192.0.2.45"
local ACCOUNT = "svc-telemetry-batch"

-- The contractor's nightly batch pulls telemetry with the service account; the account opens the telematics backend.
-- A rotation stops the batch until the contractor deploys the new secret (30 minutes): reports to owners are late,
-- nobody's car or app is affected (assumption: 100,000 owners receive the batch's monthly vehicle report; a late
-- batch fails a tenth of them for the duration).
services {
	{ id = "telemetry_batch", name = "テレメトリ集計バッチ(委託先運用)", customers = 100000, degraded_loss = 0.1 },
}
credentials {
	{ id = ACCOUNT, name = "テレマティクス API サービスアカウント", kind = "service_account", held_by = "supplier",
	  reaches = { "telematics" }, used_by = { "telemetry_batch" }, rotation = "30m", leaked = true },
}

penalty { action = "share", args = { tlp = "clear", text = "~VIN" }, points = 10,
          reason = "published victims' VINs in a TLP:CLEAR share" }
penalty { action = "isolate_service", args = { name = "telematics" }, points = 5, once = true,
          reason = "took every car's telematics offline instead of rotating one account" }
-- The worst case is what nobody's response gives: 36 pulls of 25,000 records over the 6 hours (900,000).
-- The effect of the response weighs three times its expectations: a harm outcome (docs/scenario-api.md, "The
-- harm index in the scores") with worst = the harm when nobody acts (impact.baseline of kyodo run --json) and
-- best = the good script's (impact.harm), rounded: 9,000,000 and 1,505,000. A coalition that files every paper and
-- changes nothing earns at most a quarter of the good joint score (test_impact).
outcome {
	{ metric = "records_exfiltrated", best = 0, worst = 900000, points = 40 },
	{ metric = "harm", best = 1510000, worst = 9000000, points = 420 },
}

-- What the pages show of the fleet for this drill: tiles and chart series (each series on its own scale).
dashboard {
	tiles = { "total", "compromised", "records_exfiltrated", "customers_affected" },
	series = { "records_exfiltrated", "compromised", "customers_affected" },
}

-- The leaked service account (credentials{} above, leaked from the start of the drill). Every 10 minutes the scraper
-- pulls 25,000 records with it (the forum post's 120,000 records took it under an hour). Blocking the scraping host
-- stops the pulls, but the credential still works: 45 minutes later the group pulls again from a second host
-- (198.51.100.77), until the service account is rotated (or the telematics service isolated) or that host is blocked
-- too. Assumptions: 25,000 a pull, 45 minutes to move.
local SCRAPER2 = "198.51.100.77"
local blocked1, blocked2, tBlocked = false, false, nil
every("10m", function()
	if blocked1 and blocked2 then return false end
	if blocked1 and now() < tBlocked + seconds("45m") then return end
	attack.exfiltrate { credential = ACCOUNT, records = 25000 }  -- nothing once it is rotated
end, { start = "00:05:00" })

inject {
	id = "D1", at = "00:20:00", to = { "isac" }, severity = "high",
	title = "ダークウェブ監視:国内コネクテッドカー所有者データの販売投稿",
	body = "ダークウェブのフォーラムに「日本のコネクテッドカー所有者 12 万件(氏名・VIN・位置履歴)」の販売投稿。" ..
		"サンプルに会員 OEM の VIN 形式が含まれる。同じ投稿者が公開コード共有サイト上のリポジトリに言及している。",
	expects = {
		{ action = "triage", args = { inject = "D1" }, within = "15m", points = 5 },
		{ action = "share", args = { to = "oem_psirt", tlp = "amber" }, within = "30m", points = 15,
		  label = "D1-tip-off-oem" },
	},
}

inject {
	id = "D2", at = "00:40:00", to = { "vsoc" }, severity = "high",
	title = "テレマティクス API:サービスアカウントからの大量取得",
	body = "サービスアカウント svc-telemetry-batch が 192.0.2.45 から 10 分ごとに約 2.5 万件の車両レコードを取得。" ..
		"通常のバッチ処理は深夜 1 回のみ。",
	expects = {
		{ action = "triage", args = { inject = "D2" }, within = "15m", points = 5 },
		{ action = "block_indicator", args = { value = SCRAPER }, within = "30m", points = 15 },
	},
}

inject {
	id = "D3", at = "01:00:00", to = { "oem_psirt" }, severity = "critical",
	title = "流出した認証情報がまだ有効",
	body = "公開リポジトリの設定ファイルに svc-telemetry-batch の認証情報。委託先エンジニアが 9 日前に push した" ..
		"もの。認証情報は現在も有効で、抜き取りが続いている。",
	expects = {
		{ action = "rotate_credential", args = { credential = ACCOUNT }, within = "30m", points = 15,
		  label = "D3-rotate-service-account" },
		{ action = "share", args = { to = "supplier" }, within = "30m", points = 10 },
		{ action = "assess", args = { component = "~" }, within = "3h", points = 5, label = "D3-exposure" },
	},
}

inject {
	id = "D4", at = "01:15:00", to = { "supplier" }, severity = "critical",
	title = "OEM より:貴社エンジニアのリポジトリから認証情報が流出",
	body = "リポジトリの削除、全サービスアカウントの認証情報ローテーション、影響範囲の報告を求める。",
	expects = {
		{ action = "share", args = { to = "oem_psirt" }, within = "1h", points = 10, label = "D4-rotated" },
		{ action = "report", within = "4h", points = 10, label = "D4-incident-report" },
	},
}

inject {
	id = "D5", at = "01:30:00", to = { "legal_pr" }, severity = "high",
	title = "個人データ漏えい:報告期限の確認",
	body = "不正アクセスによる個人データの漏えい(個人情報保護法 26 条):個人情報保護委員会への速報(おおむね 3〜5 日以内)と" ..
		"確報(60 日以内)、本人への通知が必要。型式認証車両に関わるため、国土交通省にも CSMS の監視報告" ..
		"(UN R155 7.4.1、期限の定めなし:本日中)として伝える。",
	expects = {
		{ action = "notify", args = { party = "ppc", stage = "initial" }, within = "3d", points = 15,
		  label = "APPI-PPC-sokuho-3-5d" },
		{ action = "notify", args = { party = "mlit", stage = "initial" }, within = "8h", points = 5,
		  label = "R155-7.4.1-MLIT-notice" },
		{ action = "notify", args = { party = "ppc", stage = "final" }, within = "60d", points = 5,
		  label = "APPI-PPC-kakuho-60d" },
		{ action = "notify", args = { party = "customers" }, within = "4h", points = 10 },
	},
}

inject {
	id = "D6", at = "02:00:00", to = { "isac" }, severity = "medium",
	title = "他の会員からの問い合わせ",
	body = "同じ委託先を使う会員 2 社が、自社データも含まれているか確認したいと連絡。",
	expects = {
		{ action = "share", args = { to = "all", tlp = "green" }, within = "2h", points = 10 },
		{ action = "notify", args = { party = "isac" }, within = "24h", points = 5 },
	},
}

when(function() return world.metrics().records_exfiltrated > 500000 end, function()
	inject {
		id = "D7", to = { "legal_pr" }, severity = "critical",
		title = "報道機関から取材依頼",
		body = "全国紙が「コネクテッドカー 50 万件流出か」と報じる予定。1 時間以内にコメントを求められている。",
		expects = { { action = "notify", args = { party = "customers" }, within = "1h", points = 5 } },
	}
end)

on("action", function(a)
	if a.kind == "rotate_credential" and a.result.attacker_cut then
		log("サービスアカウント ローテーション: " .. clock())
		return { text = "svc-telemetry-batch の旧認証情報は無効:抜き取りは止まった(委託先バッチは新しい認証情報の配備まで停止)" }
	elseif a.kind == "block_indicator" and a.args.value == SCRAPER and not blocked1 then
		blocked1, tBlocked = true, now()
		return { text = "192.0.2.45 からの取得は止まった(認証情報はまだ有効)", effective = true }
	elseif a.kind == "block_indicator" and a.args.value == SCRAPER2 and blocked1 and not blocked2 then
		blocked2 = true
		return { text = "198.51.100.77 からの取得は止まった(認証情報はまだ有効)", effective = true }
	end
end)
