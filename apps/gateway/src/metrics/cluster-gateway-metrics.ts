import { clusterMetrics } from '@jointcert/common';
import { GatewayMetrics } from './gateway-metrics';

/**
 * The metrics of a gateway worker (GATEWAY_WORKERS > 1): it records its own
 * requests as a single gateway does, and GET /metrics — answered by whichever
 * worker the connection landed on — renders every worker's, aggregated by
 * the primary (counters and histograms summed), so a scrape sees the whole
 * gateway, not one worker's share.
 */
export class ClusterGatewayMetrics extends GatewayMetrics {
  override render(): Promise<string> {
    return clusterMetrics();
  }
}
