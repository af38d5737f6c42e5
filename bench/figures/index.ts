import type { Figure } from '../harness/suite.ts'
import { commandsFigure } from './1-commands.ts'
import { limitFigure } from './2-limit.ts'
import { ingestFigure } from './3-ingest.ts'
import { brokerLatencyFigure } from './4-broker-latency.ts'
import { dispatcherFigure } from './5-dispatcher.ts'
import { growthFigure } from './6-growth.ts'
import { flowFigure } from './7-flow.ts'
import { lowConcurrencyFigure } from './8-low-concurrency.ts'
import { workerStartFigure } from './9-worker-start.ts'
import { productionFigure } from './10-production.ts'

/** The suite, in the order bench/run.ts runs it. */
export const figures: readonly Figure[] = [
  commandsFigure,
  limitFigure,
  ingestFigure,
  brokerLatencyFigure,
  dispatcherFigure,
  growthFigure,
  flowFigure,
  lowConcurrencyFigure,
  workerStartFigure,
  productionFigure,
]
