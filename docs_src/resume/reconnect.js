// The chat page's client: it reconnects on its own and resumes where it was.

// region backoff
const BASE_DELAY = 500; // milliseconds: the first retry waits up to this
const MAX_DELAY = 30000; // no wait is longer than this
const STABLE_AFTER = 10000; // a connection up this long resets the backoff
const LATER_ATTEMPT = 4; // after 1013, wait as if this many attempts had failed
const GIVE_UP = new Set([1003, 1007, 1008]); // retrying would only fail again

// Full jitter: anywhere between 0 and an exponential ceiling, so that many
// clients cut off at the same moment do not all come back at the same moment.
function reconnectDelay(attempt, random = Math.random) {
  return random() * Math.min(MAX_DELAY, BASE_DELAY * 2 ** attempt);
}
// endregion

// region ids
function isNewer(id, than) {
  // Stream IDs are "milliseconds-sequence": compare the numbers, not the text.
  const [ms, seq] = id.split("-").map(Number);
  const [thanMs, thanSeq] = than.split("-").map(Number);
  return ms > thanMs || (ms === thanMs && seq > thanSeq);
}
// endregion

const state = document.getElementById("state");
const notice = document.getElementById("notice");
const messages = document.getElementById("messages");
const input = document.getElementById("message");
const sendButton = document.getElementById("send");

let socket = null;
let lastId = ""; // the last message shown; "" until the first one
let attempt = 0;
let openedAt = 0;

function show(text) {
  notice.textContent = text;
  notice.hidden = false;
}

// region connect
function connect() {
  const scheme = location.protocol === "https:" ? "wss:" : "ws:";
  socket = new WebSocket(`${scheme}//${location.host}/ws`);
  socket.addEventListener("open", () => {
    openedAt = Date.now();
    socket.send(lastId); // first, where we were: the server replays the rest
  });
  socket.addEventListener("message", (event) => receive(JSON.parse(event.data)));
  socket.addEventListener("close", (event) => closed(event.code));
}

function closed(code) {
  sendButton.disabled = true;
  if (GIVE_UP.has(code)) {
    state.textContent = "offline";
    return;
  }
  if (openedAt && Date.now() - openedAt >= STABLE_AFTER) {
    attempt = 0; // it stayed up: this is a new outage, not the same one
  }
  openedAt = 0;
  if (code === 1013) {
    attempt = Math.max(attempt, LATER_ATTEMPT); // the server asks for patience
  }
  const delay = reconnectDelay(attempt);
  attempt += 1;
  state.textContent = `reconnecting in ${Math.ceil(delay / 1000)} s`;
  setTimeout(connect, delay);
}
// endregion

// region receive
function receive(message) {
  if (message.type === "message") {
    if (lastId && !isNewer(message.id, lastId)) {
      return; // seen already: delivered again after a reconnection
    }
    lastId = message.id;
    const item = document.createElement("li");
    item.textContent = message.text;
    messages.append(item);
  } else if (message.type === "live") {
    lastId = message.id; // caught up: resume from here next time
    state.textContent = "connected";
    sendButton.disabled = false;
  } else if (message.type === "history_lost") {
    lastId = ""; // what follows starts afresh, whatever its IDs
    show("Some messages are no longer available: reload the page to start afresh.");
  } else if (message.type === "not_delivered") {
    show(`Not delivered: ${message.text}`);
  }
}
// endregion

document.getElementById("form").addEventListener("submit", (event) => {
  event.preventDefault();
  socket.send(input.value);
  input.value = "";
});

connect();
