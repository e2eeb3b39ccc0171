import { describeShutdownOrder } from './shutdown-order';

describeShutdownOrder(false);
