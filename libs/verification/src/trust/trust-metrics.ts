/**
 * Trust-store metrics (prom-client, a registry of the verifier's own):
 *   jointcert_verifier_trust_anchors_loaded               anchors in use
 *   jointcert_verifier_trust_anchors_refused{reason}      anchor certificates refused at load, by typed reason
 * Set once per load. The verifier has no scrape endpoint of its own yet; the
 * registry is a provider (TRUST_METRICS) for whoever exposes it.
 */
import { Gauge, Registry } from 'prom-client';

export class TrustMetrics {
  readonly registry = new Registry();
  readonly loaded = new Gauge({ name: 'jointcert_verifier_trust_anchors_loaded', help: 'Trust anchors in use', registers: [this.registry] });
  readonly refused = new Gauge({
    name: 'jointcert_verifier_trust_anchors_refused',
    help: 'Trust anchor certificates refused at load (structural faults), by reason',
    labelNames: ['reason'],
    registers: [this.registry],
  });
}
