// The door's ticket scanner (rsvp/check_in.html). A ticket's QR code holds its check-in link;
// a decoded code is put in the "Ticket code or link" field and that form is submitted (htmx
// posts it and swaps the answer into #scan-result, which a11y.js announces). Without a camera
// or without JavaScript the same form takes the code typed in, and the search stays.
//
// Decoding: the browser's BarcodeDetector where it reads QR codes (Chrome on Android, Safari
// 17+), else the vendored jsQR (rsvp/static/rsvp/vendor/, loaded only then).
(function () {
  "use strict";

  var root = document.getElementById("scanner");
  if (!root) { return; }
  var form = document.getElementById("scan-form");
  var input = form.querySelector("[name=ticket]");
  var start = document.getElementById("scan-start");
  var stop = document.getElementById("scan-stop");
  var video = document.getElementById("scan-video");
  var note = document.getElementById("scan-camera-note");

  var last = null;
  var lastAt = 0;
  // A decoded ticket: the same code held in front of the camera is sent once per 4 s.
  function handle(text) {
    text = (text || "").trim();
    if (!text) { return false; }
    var now = Date.now();
    if (text === last && now - lastAt < 4000) { return false; }
    last = text;
    lastAt = now;
    input.value = text;
    if (form.requestSubmit) { form.requestSubmit(); } else { form.submit(); }
    return true;
  }
  window.doorScan = { handle: handle };

  if (!(navigator.mediaDevices && navigator.mediaDevices.getUserMedia)) { return; }
  start.hidden = false;

  var stream = null;
  var detect = null;
  var canvas = null;
  var timer = null;

  function say(text) {
    note.textContent = text;
    note.hidden = !text;
    if (text && window.portalAnnounce) { window.portalAnnounce(text); }
  }

  function loadJsQR() {
    return new Promise(function (resolve, reject) {
      if (window.jsQR) { resolve(window.jsQR); return; }
      var script = document.createElement("script");
      script.src = root.dataset.jsqr;
      script.onload = function () { resolve(window.jsQR); };
      script.onerror = reject;
      document.head.appendChild(script);
    });
  }

  function detector() {
    if (detect) { return Promise.resolve(detect); }
    var native = window.BarcodeDetector && window.BarcodeDetector.getSupportedFormats
      ? window.BarcodeDetector.getSupportedFormats()
      : Promise.resolve([]);
    return native.then(function (formats) {
      if (formats.indexOf("qr_code") !== -1) {
        var barcodes = new window.BarcodeDetector({ formats: ["qr_code"] });
        detect = function () {
          return barcodes.detect(video).then(function (codes) {
            return codes.length ? codes[0].rawValue : null;
          });
        };
        return detect;
      }
      return loadJsQR().then(function (jsQR) {
        canvas = document.createElement("canvas");
        var context = canvas.getContext("2d", { willReadFrequently: true });
        detect = function () {
          var width = video.videoWidth;
          var height = video.videoHeight;
          if (!width || !height) { return Promise.resolve(null); }
          canvas.width = width;
          canvas.height = height;
          context.drawImage(video, 0, 0, width, height);
          var code = jsQR(context.getImageData(0, 0, width, height).data, width, height, {
            inversionAttempts: "dontInvert"
          });
          return Promise.resolve(code ? code.data : null);
        };
        return detect;
      });
    });
  }

  function tick() {
    if (!stream) { return; }
    detect().then(function (text) {
      if (text) { handle(text); }
    }).catch(function () { /* a frame that could not be read: try the next */ })
      .then(function () {
        if (stream) { timer = setTimeout(tick, 250); }
      });
  }

  function stopCamera() {
    clearTimeout(timer);
    if (stream) { stream.getTracks().forEach(function (track) { track.stop(); }); }
    stream = null;
    video.hidden = true;
    stop.hidden = true;
    start.hidden = false;
  }

  start.addEventListener("click", function () {
    say("");
    navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" }, audio: false })
      .then(function (media) {
        stream = media;
        video.srcObject = media;
        video.hidden = false;
        start.hidden = true;
        stop.hidden = false;
        stop.focus();
        return video.play().then(detector).then(function () {
          say("Point the camera at a ticket's QR code.");
          tick();
        });
      })
      .catch(function () {
        stopCamera();
        say("No camera available: type the ticket code, or search for the name below.");
      });
  });
  stop.addEventListener("click", function () {
    stopCamera();
    say("");
    start.focus();
  });
  document.addEventListener("visibilitychange", function () {
    if (document.hidden && stream) { stopCamera(); }
  });
})();
