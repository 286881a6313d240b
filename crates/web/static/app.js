// Progressive enhancement only: every page works without JavaScript.
(function () {
  "use strict";
  var form = document.getElementById("case-form");
  var panel = document.getElementById("screen-panel");
  if (!form || !panel) return;
  var outcome = document.getElementById("screen-outcome");
  var reasons = document.getElementById("screen-reasons");
  var profile = document.getElementById("screen-profile");
  var consent = document.getElementById("consent-given");
  var labels = {
    meets_definition: "Meets the definition",
    presumed: "Presumed trafficked person",
    insufficient_information: "Insufficient information",
    does_not_meet: "Does not meet the definition"
  };
  function values(name) {
    return Array.prototype.map.call(form.querySelectorAll('input[name="' + name + '"]:checked'), function (i) { return i.value; });
  }
  function value(name) {
    var el = form.querySelector('[name="' + name + '"]');
    return el && el.value ? el.value.trim() : "";
  }
  function body() {
    var b = { acts: values("acts"), means: values("means"), exploitation: values("exploitation") };
    var other = value("exploitation_other");
    if (other) b.exploitation.push("other: " + other);
    var age = value("age_at_identification");
    if (age && /^\d+$/.test(age)) b.age_at_identification = parseInt(age, 10);
    var bracket = value("age_bracket");
    if (bracket) b.age_bracket = bracket;
    var on = value("identified_on");
    if (on) b.identified_on = on;
    var dob = value("date_of_birth");
    if (dob) b.identity = { date_of_birth: dob };
    if (consent && consent.checked) b.consent_given = true;
    return b;
  }
  var timer = null;
  function update() {
    clearTimeout(timer);
    timer = setTimeout(function () {
      var csrf = form.querySelector('input[name="csrf"]').value;
      fetch("/api/v1/screen", {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf },
        body: JSON.stringify(body())
      }).then(function (r) { return r.json().then(function (j) { return { ok: r.ok, j: j }; }); })
        .then(function (res) {
          reasons.innerHTML = "";
          if (!res.ok) {
            outcome.textContent = "—";
            outcome.className = "outcome";
            var li = document.createElement("li");
            li.textContent = res.j.error || "Cannot screen yet.";
            reasons.appendChild(li);
            return;
          }
          outcome.textContent = labels[res.j.outcome] || res.j.outcome;
          outcome.className = "outcome outcome-" + res.j.outcome;
          outcome.setAttribute("data-outcome", res.j.outcome);
          res.j.reasons.forEach(function (r) {
            var li = document.createElement("li");
            li.textContent = r;
            reasons.appendChild(li);
          });
          profile.textContent = "Profile " + res.j.profile + " version " + res.j.profile_version;
        })
        .catch(function () { outcome.textContent = "—"; });
    }, 200);
  }
  form.addEventListener("input", update);
  form.addEventListener("change", update);
  if (consent) consent.addEventListener("change", update);
  update();
})();
