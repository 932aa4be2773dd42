import Alarms
import Foundation
import Notify
import Records
import SiteConfig

/// The board's HTML, rendered here: no template files, nothing fetched from elsewhere. Text is
/// escaped with `esc`; the live board is drawn by BoardScript from the event stream.
enum BoardPage {
    static func esc(_ s: String) -> String {
        var out = ""
        for c in s {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(c)
            }
        }
        return out
    }

    static func shell(_ title: String, body: String, bodyAttributes: String = "", head: String = "") -> String {
        """
        <!doctype html>
        <html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
        <title>\(esc(title))</title><style>\(BoardStyle.css)</style>\(head)</head>
        <body \(bodyAttributes)>\(body)</body></html>
        """
    }

    static func nav(_ site: String, _ session: BoardSessions.Session, current: String) -> String {
        let links = [("/", "报警看板"), ("/history", "历史记录"), ("/handover", "交接班")].map { path, name in
            "<a href=\"\(path)\"\(path == current ? " class=\"here\"" : "")>\(name)</a>"
        }.joined()
        return """
        <header><span class="site">\(esc(site))</span><nav>\(links)</nav>
        <form method="post" action="/logout" class="logout"><input type="hidden" name="csrf" value="\(session.csrf)">
        <span class="who">\(esc(session.account.name))\(session.account.mayAct ? "" : "（仅查看）")</span><button>退出</button></form></header>
        """
    }

    static func login(site: String, message: String?, next: String) -> String {
        shell("登录 · \(site)", body: """
        <main class="login"><h1>\(esc(site))</h1><h2>报警看板登录</h2>
        \(message.map { "<p class=\"error\" id=\"login-error\">\(esc($0))</p>" } ?? "")
        <form method="post" action="/login">
        <input type="hidden" name="next" value="\(esc(next))">
        <label>用户名 <input name="username" autocomplete="username" autofocus required></label>
        <label>密码 <input name="password" type="password" autocomplete="current-password" required></label>
        <button type="submit">登录</button></form></main>
        """)
    }

    static func board(site: String, session: BoardSessions.Session, timezone: String) -> String {
        shell("报警看板 · \(site)", body: """
        \(nav(site, session, current: "/"))
        <div id="strip" class="strip">连接中…</div>
        <div id="banner" class="banner" hidden>浏览器阻止了报警声音：点击此处启用声音</div>
        <div id="offline" class="offline" hidden>与监控主机的连接中断，正在重新连接…</div>
        <div id="toolbar" class="toolbar"\(session.account.mayAct ? "" : " hidden")>
        <label><input type="checkbox" id="select-all"> 全选</label>
        <button id="ack-selected" data-action="ack-selected">确认所选</button><span id="message"></span></div>
        <table class="alarms"><thead><tr><th></th><th>优先级</th><th>防区 / 来源</th><th>类型</th><th>区域</th><th>状态</th>
        <th>报警时间</th><th>持续</th><th>确认人</th><th>摄像机</th><th>处置说明</th><th></th></tr></thead>
        <tbody id="rows"></tbody></table>
        <p id="empty" class="empty">当前没有未处理的报警</p>
        <dialog id="dialog"><form method="dialog" id="dialog-form"><h3 id="dialog-title"></h3>
        <label id="text-label">说明 <textarea name="text" id="dialog-text" rows="3"></textarea></label>
        <label id="minutes-label">时长（分钟） <input name="minutes" id="dialog-minutes" type="number" min="1" value="30"></label>
        <menu><button value="cancel" formnovalidate>取消</button><button value="ok" id="dialog-ok">确定</button></menu></form></dialog>
        <script>\(BoardScript.js)</script>
        """, bodyAttributes: "data-sound=\"idle\" data-may-act=\"\(session.account.mayAct)\" data-timezone=\"\(esc(timezone))\"",
             head: "<meta name=\"csrf\" content=\"\(session.csrf)\">")
    }

    static let states = ["unacknowledged": "未确认", "acknowledged": "已确认", "returned-unacknowledged": "已恢复未确认",
                         "awaiting-reset": "待复位", "normal": "已关闭"]
    static let priorities = ["critical": "紧急", "high": "高", "medium": "中", "low": "低", "info": "提示"]

    static func history(site: String, session: BoardSessions.Session, query: HistoryQuery, rows: [Alarm], view: BoardView) -> String {
        let time = SiteTime(timezone: view.config.timezone)
        func field(_ k: String, _ label: String, _ placeholder: String = "") -> String {
            "<label>\(label) <input name=\"\(k)\" value=\"\(esc(query.given[k] ?? ""))\" placeholder=\"\(placeholder)\"></label>"
        }
        func select(_ k: String, _ label: String, _ options: [(String, String)]) -> String {
            let opts = ([("", "全部")] + options).map { v, t in
                "<option value=\"\(v)\"\(query.given[k] == v ? " selected" : "")>\(t)</option>"
            }.joined()
            return "<label>\(label) <select name=\"\(k)\">\(opts)</select></label>"
        }
        let body = rows.map { a -> String in
            let r = view.row(a)
            let notes = a.notes.map { "<div>\(esc(time.text($0.time))) \(esc($0.user))：\(esc($0.text))</div>" }.joined()
            return """
            <tr data-alarm-id="\(a.id)" data-source="\(esc(a.source.id))" data-state="\(a.state.rawValue)" data-priority="\(a.priority.rawValue)">
            <td>\(a.id)</td><td class="p-\(a.priority.rawValue)">\(priorities[a.priority.rawValue] ?? a.priority.rawValue)</td>
            <td>\(esc(a.name))<small>\(esc(a.source.id))</small></td><td>\(esc(r.type))·\(esc(r.condition))</td><td>\(esc(r.area ?? ""))</td>
            <td>\(states[a.state.rawValue] ?? a.state.rawValue)</td><td>\(time.text(a.raisedAt))</td>
            <td>\(esc(a.acknowledgedBy ?? ""))</td><td>\(a.resetAt.map(time.text) ?? "")\(a.resetBy.map { " " + esc($0) } ?? "")</td><td class="notes">\(notes)</td></tr>
            """
        }.joined(separator: "\n")
        let csvQuery = query.given.filter { !$0.value.isEmpty }.sorted { $0.key < $1.key }
            .map { "\($0.key)=\($0.value.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")" }.joined(separator: "&")
        return shell("历史记录 · \(site)", body: """
        \(nav(site, session, current: "/history"))
        <main class="page"><form class="search" method="get" action="/history">
        \(field("from", "从", "2026-12-01")) \(field("to", "到", "2026-12-01T18:00")) \(field("place", "防区/区域"))
        \(select("type", "类型", AlarmVocabulary.categories.map { ($0, BoardView.typeWord($0)) }))
        \(select("priority", "优先级", ["critical", "high", "medium", "low", "info"].map { ($0, priorities[$0]!) }))
        \(select("state", "状态", ["unacknowledged", "acknowledged", "returned-unacknowledged", "awaiting-reset", "normal"].map { ($0, states[$0]!) }))
        \(field("user", "操作人")) <button>查询</button> <a class="button" id="csv" href="/history.csv?\(csvQuery)">导出 CSV</a></form>
        <p>\(rows.count) 条</p>
        <table class="history"><thead><tr><th>#</th><th>优先级</th><th>防区 / 来源</th><th>类型</th><th>区域</th><th>状态</th><th>报警时间</th>
        <th>确认人</th><th>复位</th><th>处置记录</th></tr></thead><tbody>\(body)</tbody></table></main>
        """)
    }

    static func handover(site: String, session: BoardSessions.Session, last: HandoverRecord?, open: [BoardRow],
                         waiting: [VisitorAwaitingApproval]?, now: Date, timezone: String) -> String {
        let time = SiteTime(timezone: timezone)
        let lastText: String
        if let last, let data = try? JSONEncoder.pretty.encode(last) {
            lastText = "<pre class=\"record\">\(esc(String(decoding: data, as: UTF8.self)))</pre>"
        } else {
            lastText = "<p>还没有交接班记录（watchroomctl handover 生成）</p>"
        }
        let rows = open.map { r in
            """
            <tr data-alarm-id="\(r.id)" data-source="\(esc(r.source))" data-state="\(r.state)" data-priority="\(r.priority)">
            <td>\(priorities[r.priority] ?? r.priority)</td><td>\(esc(r.name))</td><td>\(esc(r.type))·\(esc(r.condition))</td>
            <td>\(states[r.state] ?? r.state)</td><td>\(time.text(r.raisedAt))</td><td>\(esc(r.acknowledgedBy ?? ""))</td>
            <td>\(r.notes.map { esc("\($0.user)：\($0.text)") }.joined(separator: "<br>"))</td></tr>
            """
        }.joined(separator: "\n")
        // Visitors inside whom nobody approved yet: the next shift must know whose approval they wait for.
        let visitors = (waiting ?? []).map { v in
            """
            <li data-visitor-id="\(v.visitor)">\(esc(v.name))（\(esc(v.org))，\(esc(v.purpose))）\(time.text(v.since)) 进入，等待 \(esc(v.approver))（\(esc(v.approverLogin))）批准：watchroomctl visitor approve \(v.visitor)</li>
            """
        }.joined(separator: "\n")
        let waitingText = waiting == nil ? "<p class=\"bad\">来访记录读取失败（报警日志无法读取）</p>"
            : visitors.isEmpty ? "<p>没有待批准的来访人员</p>" : "<ul class=\"awaiting\">\(visitors)</ul>"
        return shell("交接班 · \(site)", body: """
        \(nav(site, session, current: "/handover"))
        <main class="page handover"><h2>本班情况（\(time.text(now))）<button onclick="window.print()" class="noprint">打印</button></h2>
        <p>未关闭报警 \(open.count) 条</p>
        <table class="history"><thead><tr><th>优先级</th><th>名称</th><th>类型</th><th>状态</th><th>报警时间</th><th>确认人</th><th>处置记录</th></tr></thead>
        <tbody>\(rows)</tbody></table>
        <h2>待批准的来访人员\(waiting.map { " \($0.count) 人" } ?? "")</h2>\(waitingText)
        <h2>上一次交接班记录</h2>\(lastText)</main>
        """)
    }
}

extension JSONEncoder {
    static var pretty: JSONEncoder {
        let e = JSONEncoder()
        e.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        e.dateEncodingStrategy = .iso8601
        return e
    }
}
