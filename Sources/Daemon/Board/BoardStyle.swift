/// The board's CSS. ISA-101: a calm grey screen; colour only for abnormal states (the priority
/// of an open alarm); flashing only for unacknowledged alarms. Chinese text in the system's
/// fonts (Noto Sans CJK on a Debian kiosk: fonts-noto-cjk).
enum BoardStyle {
    static let css = """
    :root { --bg:#d9d9d9; --panel:#e8e8e8; --text:#1e1e1e; --muted:#5a5a5a; --line:#b8b8b8;
      --critical:#d01010; --high:#e07000; --medium:#d6b400; --low:#3a78c2; --info:#7a7a7a; }
    * { box-sizing:border-box; }
    body { margin:0; background:var(--bg); color:var(--text);
      font-family:"Noto Sans CJK SC","Noto Sans SC","WenQuanYi Micro Hei","Microsoft YaHei",sans-serif; font-size:16px; }
    header { display:flex; align-items:center; gap:24px; padding:8px 16px; background:#c8c8c8; border-bottom:1px solid var(--line); }
    header .site { font-weight:bold; font-size:18px; }
    header nav a { margin-right:16px; color:var(--text); text-decoration:none; }
    header nav a.here { font-weight:bold; border-bottom:2px solid var(--text); }
    header .logout { margin-left:auto; display:flex; gap:8px; align-items:center; }
    button, .button { font:inherit; padding:4px 12px; border:1px solid #888; background:#f2f2f2; border-radius:3px; cursor:pointer; color:var(--text); text-decoration:none; }
    button:hover { background:#fff; }
    .strip { display:flex; flex-wrap:wrap; gap:6px 18px; padding:8px 16px; background:var(--panel); border-bottom:1px solid var(--line); font-size:14px; }
    .strip .item b { font-weight:normal; color:var(--muted); margin-right:4px; }
    .strip .bad { color:#fff; background:var(--high); padding:0 6px; border-radius:3px; }
    .banner { padding:10px 16px; background:#333; color:#fff; cursor:pointer; font-weight:bold; }
    .offline { padding:8px 16px; background:#555; color:#fff; }
    .toolbar { padding:6px 16px; display:flex; gap:12px; align-items:center; }
    #message { color:var(--critical); }
    table { border-collapse:collapse; width:100%; }
    th { text-align:left; font-weight:normal; color:var(--muted); font-size:13px; padding:4px 8px; border-bottom:1px solid var(--line); }
    td { padding:6px 8px; border-bottom:1px solid var(--line); vertical-align:top; }
    td small { display:block; color:var(--muted); font-size:12px; }
    table.alarms tr { background:var(--panel); }
    table.alarms tr td:first-child { border-left:8px solid transparent; }
    tr[data-priority=critical] td:first-child { border-left-color:var(--critical); }
    tr[data-priority=high] td:first-child { border-left-color:var(--high); }
    tr[data-priority=medium] td:first-child { border-left-color:var(--medium); }
    tr[data-priority=low] td:first-child { border-left-color:var(--low); }
    .prio { display:inline-block; min-width:3em; text-align:center; padding:1px 6px; border-radius:3px; color:#fff; font-weight:bold; }
    .p-critical { background:var(--critical); color:#fff; } .p-high { background:var(--high); color:#fff; }
    .p-medium { background:var(--medium); color:#000; } .p-low { background:var(--low); color:#fff; } .p-info { background:var(--info); color:#fff; }
    tr[data-state=unacknowledged] .prio, tr[data-state=returned-unacknowledged] .prio { animation:flash 1s steps(1) infinite; }
    tr[data-state=unacknowledged] .name { font-weight:bold; }
    tr[data-state=returned-unacknowledged] { color:var(--muted); }
    tr.shelved { opacity:.6; }
    @keyframes flash { 50% { background:transparent; color:inherit; outline:2px solid currentColor; } }
    .instructions { font-size:13px; max-width:22em; }
    .actions button { margin:0 4px 4px 0; padding:2px 8px; font-size:13px; }
    .empty { padding:24px 16px; color:var(--muted); }
    main.login { max-width:360px; margin:10vh auto; background:var(--panel); padding:24px; border:1px solid var(--line); }
    main.login label { display:block; margin:12px 0; } main.login input { display:block; width:100%; font:inherit; padding:6px; }
    .error { color:#fff; background:var(--critical); padding:6px 10px; }
    main.page { padding:12px 16px; }
    form.search { display:flex; flex-wrap:wrap; gap:8px 14px; align-items:end; }
    form.search input, form.search select { font:inherit; padding:3px; }
    table.history { background:var(--panel); font-size:14px; } td.notes div { font-size:13px; }
    pre.record { background:var(--panel); padding:12px; white-space:pre-wrap; }
    dialog { border:1px solid #888; background:var(--panel); } dialog label { display:block; margin:8px 0; }
    dialog textarea { width:28em; font:inherit; }
    @media print { header, .noprint { display:none; } body { background:#fff; } }
    """
}
