//! Fixed tables: products and their packages, languages, customer names and
//! the multilingual subjects and descriptions.

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(super) enum Product {
    Lcic,
    Trtc,
    Chat,
    Live,
}

impl Product {
    pub(super) fn code(self) -> &'static str {
        ["lcic", "trtc", "chat", "live"][self as usize]
    }
    pub(super) fn prefix(self) -> &'static str {
        ["LC-", "TR-", "CH-", "LV-"][self as usize]
    }
    pub(super) fn packages(self) -> &'static [&'static str] {
        match self {
            Product::Lcic => &[
                "LCIC Monthly 500",
                "LCIC Monthly 2000",
                "LCIC Classroom Prepaid 10k min",
                "LCIC Semester Pack",
                "LCIC 标准版月包",
            ],
            Product::Trtc => &[
                "TRTC Call Monthly Standard",
                "TRTC Call Monthly Pro",
                "TRTC Live Monthly Lite",
                "TRTC 音视频月包 基础版",
            ],
            Product::Chat => &[
                "Chat Pro Plan",
                "Chat Pro Plus Plan",
                "Chat Enterprise Plan",
                "Chat Flagship Annual",
            ],
            Product::Live => &[
                "Overseas Live Standard",
                "Overseas Live Premium 1080p",
                "Live Global Event Pack",
                "海外直播解决方案 企业版",
            ],
        }
    }
    /// List prices in US cents; converted per currency.
    pub(super) fn prices(self) -> &'static [u64] {
        match self {
            Product::Lcic => &[2_900, 4_900, 8_000, 9_900, 19_900, 29_900, 49_900, 120_000],
            Product::Trtc => &[4_900, 9_900, 19_900, 39_900, 79_900, 149_900],
            Product::Chat => &[9_900, 39_900, 99_900, 149_900, 299_900],
            Product::Live => &[50_000, 120_000, 250_000, 480_000, 900_000],
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(super) enum Lang {
    En,
    Zh,
    Ja,
    Ko,
}

impl Lang {
    pub(super) const ALL: [Lang; 4] = [Lang::En, Lang::Zh, Lang::Ja, Lang::Ko];
    pub(super) fn code(self) -> &'static str {
        ["en", "zh", "ja", "ko"][self as usize]
    }
}

pub(super) const NAMES: [&[(&str, &str)]; 4] = [
    &[
        ("Bright Minds Academy", "brightminds"),
        ("StreamCo", "streamco"),
        ("Northwind Learning", "northwind"),
        ("Acme Live Events", "acmelive"),
        ("Pixel Harbor Games", "pixelharbor"),
        ("Blue Fern Tutoring", "bluefern"),
        ("Orbit Media Ltd", "orbitmedia"),
        ("Lakeside Language School", "lakeside"),
    ],
    &[
        ("北京星火教育科技有限公司", "xinghuo-edu"),
        ("上海云端互动网络科技有限公司", "yunduan"),
        ("深圳千帆直播有限公司", "qianfan-live"),
        ("杭州青藤学堂", "qingteng"),
        ("成都熊猫互娱科技有限公司", "xiongmao"),
        ("广州南风传媒", "nanfeng"),
    ],
    &[
        ("株式会社サクラ配信", "sakura-haishin"),
        ("東京ミライ学院", "mirai-gakuin"),
        ("株式会社ひかりネット", "hikari-net"),
        ("大阪ことば塾", "kotoba-juku"),
        ("合同会社ツバメゲームス", "tsubame-games"),
    ],
    &[
        ("한빛미디어", "hanbit"),
        ("서울온라인아카데미", "seoul-academy"),
        ("주식회사 별빛라이브", "byeolbit"),
        ("부산코딩스쿨", "busan-coding"),
        ("누리게임즈", "nuri-games"),
    ],
];

pub(super) const MAILBOXES: &[&str] = &["billing", "ops", "finance", "admin", "it", "purchasing"];

pub(super) const EVIDENCE: &[&str] = &[
    "screenshot_error_10006.png",
    "invoice.pdf",
    "https://status.example.com/incidents/4821",
    "sdk-client.log",
    "network-trace.pcap",
    "录屏_卡顿.mp4",
    "契約書_2026.pdf",
    "meeting-minutes-quality-review.docx",
    "bank-statement-redacted.pdf",
    "통화품질_리포트.xlsx",
];

/// Terminal-hostile text: ANSI colour, bidi override, tab, newline, BEL.
pub(super) const HOSTILE: &[&str] = &[
    "\u{1b}[31mRED\u{1b}[0m \u{202e}fdp.eciovni\u{202c}\tcolumn\nsecond line\u{7}",
    "refund\u{7}\u{7} now\t\u{1b}[2J\u{1b}[31mRED\u{1b}[0m\n\u{202e}!tnegru",
    "\u{202e}evil\u{202c} \u{1b}[1;33mWARN\u{1b}[0m\tx\ny\u{7}",
];

/// Subjects then descriptions, per language, per reason family
/// (0: unused / changed mind, 1: service problems, 2: mistakes and other).
/// `{P}` is the product's display name.
pub(super) struct Texts {
    pub(super) subjects: [&'static [&'static str]; 3],
    pub(super) descriptions: [&'static [&'static str]; 3],
    pub(super) products: [&'static str; 4],
}

pub(super) const TEXTS: [Texts; 4] = [
    Texts {
        subjects: [
            &[
                "Refund request for unused package",
                "Please cancel and refund my purchase",
                "Bought the wrong plan",
                "Refund within 5 days - not used",
                "Requesting refund: package never activated",
            ],
            &[
                "Service down for days, requesting refund",
                "Video keeps freezing - we want our money back",
                "Outage last week: compensation request",
                "Quality far below what was promised",
                "Nobody fixed our ticket, please refund 😡",
            ],
            &[
                "Question about a charge on our invoice",
                "Duplicate charge?",
                "Our reseller ordered the wrong package",
                "Refund request",
                "Billing issue - need help",
            ],
        ],
        descriptions: [
            &[
                "We purchased the {P} package but our project was cancelled before we used it. Please refund to the original payment method.",
                "We bought the wrong tier. No class has been held yet.",
                "Hi team, we decided to go with another provider. Nothing has been used. Thanks!",
                "Our budget was cut this quarter. The {P} package is still untouched, could you refund it?",
                "I clicked purchase twice by accident 🙈 Please refund the second one.",
                "Hello, I am writing on behalf of our school. Last week our procurement team bought a {P} package for the spring semester, but the board has since decided to postpone the online programme until autumn. None of our teachers have logged in and no sessions have been scheduled, so the package is completely unused. We would appreciate a refund of the full amount to our corporate card. Please let me know if you need the purchase order or any other document. Kind regards.",
                "We changed our mind about {P} and will stay on our current setup for now.",
            ],
            &[
                "Since Monday our users cannot join rooms; the SDK returns error 10006 every time. Support has not solved it after three days.",
                "The stream was down for more than 3 days in our region. Our viewers left and our sponsors are asking questions. We expect compensation.",
                "Latency is consistently above 800 ms, far beyond the SLA in our contract. Logs attached.",
                "We have been live for two weeks. From the third day onward, every evening between 20:00 and 23:00 our broadcasts stutter and viewers in Jakarta and Manila get a black screen. We opened ticket after ticket and sent logs, network traces and screenshots, but the problem is still not fixed and we lost two paying events. We are asking for a refund of the unused part of the service, or compensation that reflects the real damage.",
                "The console showed a red status for hours and no one answered our tickets. Not acceptable. 😤",
                "Video was blurry (360p) although we pay for 1080p. Both sides confirmed the gap in the review meeting.",
            ],
            &[
                "Our engineer configured the wrong region and we burned through minutes. Is any refund possible?",
                "The CDN of our third-party vendor failed, not your service, but we still could not use {P}.",
                "We were charged for a month we did not expect to be billed for. Please check.",
                "Our partner agency bought this on our account without approval.",
                "The amount on the attached invoice does not match the quote.",
                "Could you tell us what can be refunded? We still have some credits left.",
            ],
        ],
        products: ["LCIC", "TRTC", "Chat", "live streaming"],
    },
    Texts {
        subjects: [
            &[
                "申请退款：套餐未使用",
                "购买后未使用，申请五天无理由退款",
                "误购套餐，请求退款",
                "项目取消，申请退还费用",
                "请帮忙取消订单并退款",
            ],
            &[
                "服务不可用，申请退款",
                "直播中断超过三天，要求赔偿",
                "音视频质量不达标",
                "工单多日未解决，申请退款",
                "卡顿严重，无法正常上课 😡",
            ],
            &[
                "发票金额有疑问",
                "重复扣费？",
                "代理商下错了订单",
                "退款申请",
                "关于账户冻结资金的问题",
            ],
        ],
        descriptions: [
            &[
                "购买后未使用，申请五天无理由退款。",
                "我们买错了规格，还没有上过一节课，请退回原支付账户。",
                "公司项目取消，{P}套餐一分钟都没用，麻烦尽快处理退款，谢谢！",
                "预算调整，暂时不需要该服务了，套餐未启用。",
                "不小心重复下单了两次🙏，请退掉其中一个。",
                "您好，我们是一家在线教育机构，上周为春季学期采购了{P}套餐。由于学校临时决定推迟线上课程，所有老师都还没有登录过平台，也没有安排任何课程，套餐完全没有使用。希望能全额退款到我们的对公账户。如需采购合同、付款凭证或其他材料，请随时联系我们，我们会第一时间提供。谢谢！",
                "我们决定继续使用原来的方案，不再需要这个套餐了。",
            ],
            &[
                "从周一开始用户无法进入房间，SDK 一直返回错误码，工单提交三天了还没有解决。",
                "海外直播中断超过72小时，观众大量流失，要求按合同赔偿。",
                "延迟一直在800毫秒以上，远超合同约定的指标，日志已附上。",
                "我们的直播业务上线两周以来，每天晚上八点到十一点之间画面频繁卡顿，东南亚地区的观众经常黑屏。我们多次提交工单并提供了日志、网络抓包和截图，但问题至今没有解决，已经导致两场付费活动失败。请退还未使用部分的费用，或者给出与实际损失相符的赔偿方案。",
                "控制台一直显示异常，没有人回复我们的工单，非常失望。😤",
                "画质只有360p，和购买的1080p不符，双方已在复盘会上确认差距。",
            ],
            &[
                "我们的工程师配错了地域，消耗了不少分钟数，请问还能退款吗？",
                "第三方CDN故障导致无法使用{P}，不是贵司的问题，但我们还是想申请退款。",
                "这个月被多扣了一笔费用，请核实。",
                "代理商未经我们同意用我们的账号下单了。",
                "发票金额和报价单不一致，请查看附件。",
                "账户里还有一些赠送金，请问哪些部分可以退？",
            ],
        ],
        products: ["LCIC", "TRTC", "即时通信", "海外直播"],
    },
    Texts {
        subjects: [
            &[
                "未使用パッケージの返金について",
                "購入後未使用のため返金をお願いします",
                "誤って購入したプランの返金依頼",
                "プロジェクト中止に伴う返金のお願い",
                "注文のキャンセルと返金について",
            ],
            &[
                "サービス停止による返金依頼",
                "配信が3日以上停止しています",
                "映像品質が契約水準に達していません",
                "問い合わせが数日間未解決です",
                "音声が途切れて授業ができません 😢",
            ],
            &[
                "請求書の金額について",
                "二重請求の可能性について",
                "代理店が誤ったプランを購入しました",
                "返金申請",
                "凍結された残高について",
            ],
        ],
        descriptions: [
            &[
                "購入後まだ一度も使用していません。返金をお願いいたします。",
                "誤って上位プランを購入してしまいました。授業はまだ一度も実施していません。",
                "社内のプロジェクトが中止となり、{P}のパッケージは未使用のままです。元の支払い方法への返金をお願いします。",
                "予算の都合により、今回は利用を見送ることになりました。",
                "購入ボタンを二回押してしまいました🙇 片方の返金をお願いします。",
                "お世話になっております。弊社は語学スクールを運営しており、先週、春学期向けに{P}のパッケージを購入いたしました。しかし、経営判断によりオンライン講座の開始を秋まで延期することになり、講師は誰もログインしておらず、授業の予約も一件もございません。つきましては、全額を法人カードへ返金していただけますでしょうか。発注書などの書類が必要でしたらお知らせください。よろしくお願いいたします。",
                "やはり現在の構成を継続することにしました。",
            ],
            &[
                "月曜日からユーザーがルームに入室できず、SDKがエラーを返し続けています。3日経っても解決していません。",
                "海外向けライブ配信が72時間以上停止し、視聴者が離れてしまいました。契約に基づく補償を求めます。",
                "遅延が常に800ミリ秒を超えており、契約のSLAを大きく下回っています。ログを添付します。",
                "配信開始から二週間、毎晩20時から23時の間に映像が頻繁に止まり、東南アジアの視聴者の画面が真っ暗になります。ログやネットワークのキャプチャ、スクリーンショットを添えて何度も問い合わせましたが、いまだに解決しておらず、有料イベントを二件中止せざるを得ませんでした。未使用分の返金、または実際の損害に見合う補償をお願いいたします。",
                "コンソールに異常表示が続き、問い合わせにも返答がありません。😞",
                "1080pの契約にもかかわらず画質が360p程度でした。双方でギャップを確認済みです。",
            ],
            &[
                "弊社エンジニアがリージョン設定を誤り、分数を消費してしまいました。返金は可能でしょうか。",
                "外部CDNの障害で{P}を利用できませんでした。御社の問題ではありませんが、ご相談させてください。",
                "今月、想定外の請求がありました。ご確認ください。",
                "代理店が弊社の承認なしにアカウントで購入しました。",
                "請求書の金額が見積書と一致しません。添付をご確認ください。",
            ],
        ],
        products: ["LCIC", "TRTC", "Chat", "海外ライブ配信"],
    },
    Texts {
        subjects: [
            &[
                "미사용 패키지 환불 요청",
                "구매 후 사용하지 않아 환불을 요청합니다",
                "잘못 구매한 요금제 환불 문의",
                "프로젝트 취소로 인한 환불 요청",
                "주문 취소 및 환불 부탁드립니다",
            ],
            &[
                "서비스 장애로 인한 환불 요청",
                "라이브 방송이 3일 넘게 중단되었습니다",
                "영상 품질이 계약 기준에 미달합니다",
                "문의가 며칠째 해결되지 않고 있습니다",
                "소리가 끊겨서 수업을 할 수 없어요 😭",
            ],
            &[
                "청구서 금액 문의",
                "이중 결제 확인 요청",
                "대리점에서 잘못된 상품을 구매했습니다",
                "환불 신청",
                "동결된 금액에 대한 문의",
            ],
        ],
        descriptions: [
            &[
                "구매 후 한 번도 사용하지 않았습니다. 환불 부탁드립니다.",
                "상위 요금제를 실수로 구매했습니다. 아직 수업을 한 번도 진행하지 않았습니다.",
                "회사 프로젝트가 취소되어 {P} 패키지를 전혀 사용하지 않았습니다. 원래 결제 수단으로 환불해 주세요.",
                "예산 문제로 이번에는 서비스 이용을 보류하기로 했습니다.",
                "구매 버튼을 두 번 눌렀어요🙏 하나는 환불해 주세요.",
                "안녕하세요. 저희는 온라인 어학원을 운영하고 있으며, 지난주 봄 학기를 위해 {P} 패키지를 구매했습니다. 그러나 내부 결정으로 온라인 강의 개시를 가을로 연기하게 되어 강사 중 누구도 로그인하지 않았고 예약된 수업도 없습니다. 법인 카드로 전액 환불해 주실 수 있을까요? 구매 주문서 등 필요한 서류가 있으면 알려 주세요. 감사합니다.",
                "기존 방식을 계속 사용하기로 결정했습니다.",
            ],
            &[
                "월요일부터 사용자가 방에 입장하지 못하고 SDK가 계속 오류를 반환합니다. 3일이 지났는데도 해결되지 않았습니다.",
                "해외 라이브 방송이 72시간 이상 중단되어 시청자가 이탈했습니다. 계약에 따른 보상을 요청합니다.",
                "지연 시간이 항상 800ms를 넘어 계약 SLA에 크게 못 미칩니다. 로그를 첨부합니다.",
                "방송을 시작한 지 2주가 되었는데, 셋째 날부터 매일 저녁 8시부터 11시 사이에 화면이 자주 멈추고 동남아시아 시청자들은 검은 화면만 봅니다. 로그와 네트워크 캡처, 스크린샷을 첨부해 여러 번 문의했지만 아직 해결되지 않았고 유료 이벤트 두 건이 무산되었습니다. 사용하지 않은 기간에 대한 환불 또는 실제 손해에 맞는 보상을 요청합니다.",
                "콘솔에 오류 표시가 계속되고 문의에도 답이 없습니다. 😞",
                "1080p 계약인데 화질이 360p 수준이었습니다. 양측이 차이를 확인했습니다.",
            ],
            &[
                "저희 엔지니어가 리전을 잘못 설정해서 분을 소진했습니다. 환불이 가능할까요?",
                "외부 CDN 장애로 {P}을 사용하지 못했습니다. 귀사 문제는 아니지만 상담 부탁드립니다.",
                "이번 달에 예상치 못한 요금이 청구되었습니다. 확인 부탁드립니다.",
                "대리점이 저희 승인 없이 계정으로 구매했습니다.",
                "청구서 금액이 견적서와 다릅니다. 첨부 파일을 확인해 주세요.",
            ],
        ],
        products: ["LCIC", "TRTC", "Chat", "해외 라이브"],
    },
];
