// SPDX-License-Identifier: Apache-2.0
#pragma once

// The API server's side of a request: RequestBuilder::submit() calls these in order (code,
// objectRefs, status, timings, annotations) on the request the activity has built.

#include "prng.h"
#include "request.h"

namespace auditgen {

/// The response code: r.forcedCode, the verb's success code, or a rare 403/404/409/500.
/// May set r.panic (which logs a Panic stage and code 500 instead).
int decideCode(Request& r, Rng& rng);

/// Renders r.refReceived and r.refFinal, the objectRef of the first and the later stages.
void buildObjectRefs(Request& r);

/// Renders r.status (a metav1.Status with a Kubernetes-style message) and, for long-running
/// requests, r.startedStatus.
void buildStatus(Request& r, Rng& rng);

/// Picks r.startDelay and r.duration where the activity left them 0.
void defaultTimings(Request& r, Rng& rng);

/// Renders r.annotations: authorization decision and reason, latency for slow requests.
void buildAnnotations(Request& r, Rng& rng);

} // namespace auditgen
