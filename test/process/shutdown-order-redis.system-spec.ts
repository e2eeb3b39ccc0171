import { describeShutdownOrder } from './shutdown-order';

describeShutdownOrder(true);
