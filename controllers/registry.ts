// Every controller the operator runs, in one list.
import { clusterController } from './cluster/reconcile.js';
import type { ControllerDef } from './context.js';
import { machineController } from './machine/reconcile.js';
import { ngroupController } from './ngroup/reconcile.js';
import { nodepoolController } from './nodepool/reconcile.js';
import { profileController } from './profile/reconcile.js';
import { remediationController } from './remediation/reconcile.js';
import { scheduledEventsController } from './scheduledevents/reconcile.js';
import { snapshotController } from './snapshot/reconcile.js';

export const CONTROLLERS: ControllerDef[] = [
  clusterController,
  nodepoolController,
  machineController,
  ngroupController,
  profileController,
  remediationController,
  scheduledEventsController,
  snapshotController,
];
