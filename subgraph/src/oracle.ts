// AccountingOracle: the consensus report handed over, processed (ReportApplied closes the OracleReport built
// from the pool's events of the same transaction), discarded or missed.
import {
  ProcessingMissed,
  ProcessingStarted,
  ReportApplied,
  ReportDiscarded,
  ReportSubmitted,
} from '../generated/AccountingOracle/AccountingOracle';
import { loadFrame } from './frame';
import { loadReport } from './report';

export function handleReportSubmitted(event: ReportSubmitted): void {
  let f = loadFrame(event.params.refSlot);
  f.submittedToOracle = true;
  f.processingDeadlineSlot = event.params.processingDeadlineSlot;
  f.save();
}

export function handleReportDiscarded(event: ReportDiscarded): void {
  let f = loadFrame(event.params.refSlot);
  f.discarded = true;
  f.save();
}

export function handleProcessingStarted(event: ProcessingStarted): void {
  let f = loadFrame(event.params.refSlot);
  f.processingStarted = true;
  f.save();
}

export function handleProcessingMissed(event: ProcessingMissed): void {
  let f = loadFrame(event.params.refSlot);
  f.missed = true;
  f.save();
}

export function handleReportApplied(event: ReportApplied): void {
  let e = event.params;
  let r = loadReport(event);
  r.refSlot = e.refSlot;
  r.hash = e.hash;
  r.save();
  let f = loadFrame(e.refSlot);
  f.processed = true;
  f.report = r.id;
  f.save();
}
