/// The live board's script: draws the rows and the status strip from the event stream
/// (`/events`), reconnects by itself (and resyncs from the snapshot every connection starts
/// with), sounds unacknowledged alarms with WebAudio, and sends actions with the CSRF token.
enum BoardScript {
    static let js = #"""
    "use strict";
    const csrf = document.querySelector('meta[name=csrf]').content;
    const body = document.body;
    const mayAct = body.dataset.mayAct === 'true';
    const tz = body.dataset.timezone || undefined;
    const alarms = new Map();
    const selected = new Set();
    let lastMessage = Date.now(), source = null, drawPending = false;
    const STATES = {"unacknowledged":"未确认","acknowledged":"已确认","returned-unacknowledged":"已恢复未确认","awaiting-reset":"待复位","normal":"已关闭"};
    const PRIOS = {"critical":"紧急","high":"高","medium":"中","low":"低","info":"提示"};
    const fmt = new Intl.DateTimeFormat('zh-CN', {timeZone: tz, year:'numeric', month:'2-digit', day:'2-digit', hour:'2-digit', minute:'2-digit', second:'2-digit', hour12:false});
    const esc = s => String(s ?? '').replace(/[&<>"']/g, c => ({'&':'&amp;','<':'&lt;','>':'&gt;','"':'&quot;',"'":'&#39;'}[c]));
    const time = s => s ? fmt.format(new Date(s)) : '';
    function duration(s) {
      let t = Math.max(0, Math.floor((Date.now() - new Date(s)) / 1000));
      const d = Math.floor(t / 86400); t %= 86400;
      const h = Math.floor(t / 3600), m = Math.floor(t % 3600 / 60), sec = t % 60;
      return (d ? d + '天' : '') + (h ? h + '时' : '') + (d || h || m ? m + '分' : '') + (d ? '' : sec + '秒');
    }
    function order(a, b) {
      if (a.rank !== b.rank) return a.rank - b.rank;
      const ua = new Date(a.updated_at), ub = new Date(b.updated_at);
      if (ua - ub) return ub - ua;
      return b.id - a.id;
    }
    function actions(a) {
      if (!mayAct) return '';
      let out = '';
      if (a.state === 'unacknowledged' || a.state === 'returned-unacknowledged') out += '<button data-action="ack">确认</button>';
      out += '<button data-action="note">记录</button>';
      if (a.state === 'awaiting-reset' || !a.active) out += '<button data-action="reset">复位</button>';
      if (!a.shelved_until) out += '<button data-action="shelve">搁置</button>';
      return out;
    }
    function row(a) {
      const notes = (a.notes || []).map(n => esc(n.user + '：' + n.text)).join('<br>');
      return `<tr data-alarm-id="${a.id}" data-source="${esc(a.source)}" data-state="${esc(a.state)}" data-priority="${esc(a.priority)}"${a.shelved_until ? ' class="shelved"' : ''}>` +
        `<td>${mayAct ? `<input type="checkbox" class="pick"${selected.has(a.id) ? ' checked' : ''}>` : ''}</td>` +
        `<td><span class="prio p-${esc(a.priority)}">${PRIOS[a.priority] || esc(a.priority)}</span></td>` +
        `<td><span class="name">${esc(a.name)}</span><small>${esc(a.source)}${a.value ? ' · ' + esc(a.value) : ''}</small></td>` +
        `<td>${esc(a.type)}·${esc(a.condition)}</td><td>${esc(a.area || '')}</td>` +
        `<td class="state">${STATES[a.state] || esc(a.state)}${a.shelved_until ? '<small>搁置至 ' + time(a.shelved_until) + '</small>' : ''}${notes ? '<small>' + notes + '</small>' : ''}</td>` +
        `<td>${time(a.raised_at)}</td><td class="duration" data-since="${esc(a.raised_at)}">${duration(a.raised_at)}</td>` +
        `<td>${esc(a.acknowledged_by || '')}</td><td>${esc((a.cameras || []).join(' '))}</td>` +
        `<td class="instructions">${esc(a.instructions || '')}</td><td class="actions">${actions(a)}</td></tr>`;
    }
    function draw() {
      drawPending = false;
      const list = [...alarms.values()].sort(order);
      document.getElementById('rows').innerHTML = list.map(row).join('');
      document.getElementById('empty').hidden = list.length > 0;
      for (const id of [...selected]) if (!alarms.has(id)) selected.delete(id);
      sound();
    }
    function later() { if (!drawPending) { drawPending = true; setTimeout(draw, 30); } }
    function strip(s) {
      const items = [];
      for (const b of s.buses) items.push(`<span class="item"><b>总线 ${esc(b.id)}</b>${b.lost.length ? '<span class="bad">通信中断：' + esc(b.lost.join('、')) + '</span>' : b.devices + ' 台设备正常'}</span>`);
      for (const a of s.areas) items.push(`<span class="item"><b>${esc(a.name)}</b>${a.disarmed ? (a.armed ? a.armed + ' 布防 / ' + a.disarmed + ' 撤防' : '撤防') : '布防'}</span>`);
      items.push(`<span class="item"><b>搁置</b>${s.shelved}</span>`);
      items.push(`<span class="item"><b>停用防区</b>${s.out_of_service.length ? esc(s.out_of_service.join('、')) : '无'}</span>`);
      items.push(`<span class="item"><b>上次完整自检</b>${s.last_self_test ? time(s.last_self_test) : '<span class="bad">无记录</span>'}</span>`);
      for (const x of s.sensors) items.push(`<span class="item"><b>${esc(x.name)}</b>${x.value == null ? '—' : x.value}</span>`);
      items.push(`<span class="item"><b>未送达通知</b>${s.undelivered ? '<span class="bad">' + s.undelivered + '</span>' : 0}</span>`);
      if (s.journal_fault) items.push(`<span class="item bad">日志写入故障：${esc(s.journal_fault)}</span>`);
      document.getElementById('strip').innerHTML = items.join('');
    }
    // Sound: WebAudio beeps while an alarm that sounds is unacknowledged; a browser that blocks
    // audio until a click gets a banner that asks for one.
    let audio = null, beeping = null;
    function sound() {
      const wanted = [...alarms.values()].some(a => a.sounds);
      if (!wanted) { body.dataset.sound = 'idle'; document.getElementById('banner').hidden = true; stopBeeping(); return; }
      try { audio = audio || new AudioContext(); } catch (e) { audio = null; }
      if (audio && audio.state !== 'running') audio.resume().catch(() => {});
      if (!audio || audio.state !== 'running') {
        body.dataset.sound = 'blocked'; document.getElementById('banner').hidden = false; stopBeeping(); return;
      }
      body.dataset.sound = 'playing'; document.getElementById('banner').hidden = true;
      if (!beeping) { beep(); beeping = setInterval(beep, 1000); }
    }
    function beep() {
      if (!audio) return;
      const o = audio.createOscillator(), g = audio.createGain();
      o.frequency.value = 880; g.gain.value = 0.2;
      o.connect(g); g.connect(audio.destination);
      o.start(); o.stop(audio.currentTime + 0.35);
    }
    function stopBeeping() { if (beeping) { clearInterval(beeping); beeping = null; } }
    document.getElementById('banner').addEventListener('click', () => {
      audio = audio || new AudioContext();
      audio.resume().then(sound);
    });
    setInterval(() => {
      for (const td of document.querySelectorAll('td.duration')) td.textContent = duration(td.dataset.since);
      if (body.dataset.sound === 'blocked') sound();
    }, 1000);
    // The live feed. EventSource reconnects by itself after a drop; each connection begins with
    // a full snapshot. A stream that says nothing for 40 s (pings come every 15 s) is dead: reopened.
    function connect() {
      if (source) source.close();
      source = new EventSource('/events');
      source.addEventListener('open', () => { document.getElementById('offline').hidden = true; });
      source.addEventListener('snapshot', e => {
        lastMessage = Date.now();
        const s = JSON.parse(e.data);
        alarms.clear();
        for (const a of s.alarms) alarms.set(a.id, a);
        strip(s.status); draw();
      });
      // One message per batch of committed events (a flood is one): its rows in commit order,
      // each applied as if it had come alone; one redraw after them.
      source.addEventListener('alarms', e => {
        lastMessage = Date.now();
        for (const a of JSON.parse(e.data)) { if (a.closed) alarms.delete(a.id); else alarms.set(a.id, a); }
        later();
      });
      source.addEventListener('status', e => { lastMessage = Date.now(); strip(JSON.parse(e.data)); });
      source.addEventListener('message', () => { lastMessage = Date.now(); });
      source.onerror = () => {
        document.getElementById('offline').hidden = false;
        if (source.readyState === EventSource.CLOSED) setTimeout(recover, 2000);
      };
    }
    async function recover() {
      try {
        const r = await fetch('/api/board', {cache: 'no-store'});
        if (r.status === 401) { location.href = '/login'; return; }
      } catch (e) {}
      connect();
    }
    setInterval(() => { if (Date.now() - lastMessage > 40000) { lastMessage = Date.now(); connect(); } }, 5000);
    async function post(verb, payload) {
      const msg = document.getElementById('message');
      msg.textContent = '';
      try {
        const r = await fetch('/api/' + verb, {method: 'POST', headers: {'Content-Type': 'application/json', 'X-CSRF-Token': csrf}, body: JSON.stringify(payload)});
        const answer = await r.json();
        if (!r.ok) { msg.textContent = answer.error || r.statusText; return; }
        if (answer.refused && answer.refused.length) msg.textContent = answer.refused.map(x => '#' + x.id + '：' + x.error).join('；');
        for (const id of answer.done || []) selected.delete(id);
      } catch (e) { msg.textContent = '发送失败：' + e; }
    }
    function ask(title, withMinutes, done) {
      const d = document.getElementById('dialog');
      document.getElementById('dialog-title').textContent = title;
      document.getElementById('dialog-text').value = '';
      document.getElementById('minutes-label').hidden = !withMinutes;
      d.onclose = () => { if (d.returnValue === 'ok') done(document.getElementById('dialog-text').value, +document.getElementById('dialog-minutes').value); };
      d.showModal();
    }
    document.getElementById('rows').addEventListener('click', e => {
      const tr = e.target.closest('tr'); if (!tr) return;
      const id = +tr.dataset.alarmId, a = alarms.get(id);
      if (e.target.classList.contains('pick')) { if (e.target.checked) selected.add(id); else selected.delete(id); return; }
      const act = e.target.dataset.action; if (!act) return;
      if (act === 'ack') post('ack', {ids: [id]});
      if (act === 'note') ask('记录：' + a.name, false, t => post('note', {id, text: t}));
      if (act === 'reset') ask('复位（须填写处置情况）：' + a.name, false, t => post('reset', {id, text: t}));
      if (act === 'shelve') ask('搁置（原因与时长）：' + a.name, true, (t, m) => post('shelve', {id, reason: t, minutes: m}));
    });
    document.getElementById('ack-selected').addEventListener('click', () => { if (selected.size) post('ack', {ids: [...selected]}); });
    document.getElementById('select-all').addEventListener('change', e => {
      for (const a of alarms.values()) if (e.target.checked) selected.add(a.id); else selected.delete(a.id);
      draw();
    });
    connect();
    """#
}
