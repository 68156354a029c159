/**
 * The sandbox's data, wired together once per server: the clock, churn, people and every generator.
 * Nothing here holds records; each generator computes them from the seed and an index on demand.
 */
import { Clock } from './clock.js';
import { Activities } from './data/activities.js';
import { Campaigns } from './data/campaigns.js';
import { Catalog } from './data/catalog.js';
import { Churn } from './data/churn.js';
import type { Core } from './data/core.js';
import { DeliveryStream, MESSAGES_RETENTION, TRANSACTIONAL_RETENTION, type Origin } from './data/deliveries.js';
import { DesignStudio } from './data/design-studio.js';
import { Misc } from './data/misc.js';
import { Objects } from './data/objects.js';
import { People } from './data/people.js';
import { hash, tagOf, weightedCycle } from './hash.js';
import { type ActivitiesOrder, type ChurnOptions, DEFAULT_SIZES, type DeliveryBounds, type DesignStudioScope, type SandboxSizes } from './types.js';

export interface WorldOptions {
  seed: number;
  now: number;
  realClock: boolean;
  sizes: Partial<SandboxSizes>;
  churn?: ChurnOptions;
  flatCustomerAttributes: boolean;
  activitiesOrder?: ActivitiesOrder;
  deliveryBounds?: Partial<DeliveryBounds>;
  designStudioScope?: DesignStudioScope;
}

export interface World extends Core {
  flatCustomerAttributes: boolean;
  activitiesOrder: ActivitiesOrder;
  /** How the delivery lists read `start_ts`/`end_ts`. */
  deliveryBounds: DeliveryBounds;
  activities: Activities;
  campaigns: Campaigns;
  broadcasts: Campaigns;
  catalog: Catalog;
  messages: DeliveryStream;
  transactionalDeliveries: DeliveryStream;
  /** The template of each transactional delivery: index into the transactional ListSet. */
  transactionalOf(k: number): number;
  misc: Misc;
  objects: Objects;
  designStudio: DesignStudio;
  /** How Design Studio listings read `direct_descendants_only`. */
  designStudioScope: DesignStudioScope;
}

export function createWorld(opts: WorldOptions): World {
  const sizes: SandboxSizes = { ...DEFAULT_SIZES, ...opts.sizes };
  for (const [name, value] of Object.entries(sizes)) {
    if (!Number.isInteger(value) || value < 0) throw new RangeError(`sandbox size ${name} must be a non-negative integer, got ${value}`);
  }
  const clock = new Clock(opts.now, opts.realClock);
  const churn = new Churn(opts.seed, clock.advances, opts.churn);
  const people = new People(opts.seed, sizes.customers, opts.now);
  const core: Core = { seed: opts.seed, start: opts.now, sizes, clock, churn, people };
  const campaigns = new Campaigns(core, false);
  const broadcasts = new Campaigns(core, true);
  const catalog = new Catalog(core);

  const messageTag = tagOf('message-origin');
  const messageOrigin = (k: number): Origin => {
    const h = hash(opts.seed, messageTag, k);
    const roll = h % 10;
    if (roll < 6 && sizes.campaigns > 0) return actionOrigin(campaigns, 'campaign_id', h >>> 4);
    if (roll < 8 && sizes.newsletters > 0) {
      const j = (h >>> 4) % sizes.newsletters;
      return { newsletter_id: catalog.newsletters.idOf(j), content_id: catalog.contentId(j, (h >>> 12) % catalog.contentCount(j)) };
    }
    if (sizes.broadcasts > 0) return actionOrigin(broadcasts, 'broadcast_id', h >>> 4);
    return {};
  };

  // Transactional deliveries are spread unevenly: template j gets a weight from 1 to 8.
  const templateCycle = weightedCycle(
    Array.from({ length: sizes.transactionalMessages }, (_, j) => [j, 1 + (hash(opts.seed, tagOf('tx-weight'), j) % 8)] as const),
    hash(opts.seed, tagOf('tx-cycle')),
  );
  const transactionalOf = (k: number) => (templateCycle.length ? templateCycle[k % templateCycle.length] : -1);

  return {
    ...core,
    flatCustomerAttributes: opts.flatCustomerAttributes,
    activitiesOrder: opts.activitiesOrder ?? 'newest_first',
    deliveryBounds: { start: 'inclusive', end: 'inclusive', ...opts.deliveryBounds },
    activities: new Activities(core),
    campaigns,
    broadcasts,
    catalog,
    messages: new DeliveryStream(core, 'messages', sizes.messages, messageOrigin, undefined, MESSAGES_RETENTION),
    transactionalDeliveries: new DeliveryStream(
      core,
      'transactional_deliveries',
      templateCycle.length ? sizes.deliveries : 0,
      (k) => ({ transactional_id: catalog.transactional.idOf(transactionalOf(k)) }),
      'email',
      TRANSACTIONAL_RETENTION,
    ),
    transactionalOf,
    misc: new Misc(core),
    objects: new Objects(core),
    designStudio: new DesignStudio(core),
    designStudioScope: opts.designStudioScope ?? 'as_documented',
  };
}

function actionOrigin(source: Campaigns, key: 'campaign_id' | 'broadcast_id', h: number): Origin {
  const j = h % source.set.count;
  const origin: Origin = { [key]: source.set.idOf(j) };
  if (source.actionsPer > 0) {
    const id = source.actionId(j * source.actionsPer + ((h >>> 8) % source.actionsPer));
    origin.action_id = Number(id);
  }
  return origin;
}
