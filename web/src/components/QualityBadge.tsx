import type { QualitySample } from '../rtc/quality';
import { routeText, throughputText } from '../rtc/quality';

const QUALITY_WORDS = { good: 'Good', fair: 'Fair', poor: 'Poor', unknown: 'Measuring\u2026' } as const;

/** The connection's route (direct or through a relay, candidate types and addresses), RTT, throughput and a good/fair/poor verdict. */
export function QualityBadge({ sample }: { sample: QualitySample | null }) {
  return (
    <div className="quality">
      <span className={`quality-badge quality-${sample?.quality ?? 'unknown'}`} aria-label="Connection quality">
        {QUALITY_WORDS[sample?.quality ?? 'unknown']}
      </span>
      <dl className="quality-facts">
        <div>
          <dt>Route</dt>
          <dd>
            {/* "relay via 198.51.100.12 (…)" or "direct (…)": browser tests read it by its label. */}
            <output aria-label="Route" data-testid="route">
              {sample?.route ? routeText(sample.route) : 'not known yet'}
            </output>
          </dd>
        </div>
        <div>
          <dt>Round trip</dt>
          <dd>{sample?.rttMs != null ? `${sample.rttMs} ms` : '\u2013'}</dd>
        </div>
        <div>
          <dt>Throughput</dt>
          <dd>{throughputText(sample?.throughputBps ?? null)}</dd>
        </div>
      </dl>
    </div>
  );
}
