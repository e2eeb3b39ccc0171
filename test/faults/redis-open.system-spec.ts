import { describeRedisFaults } from './redis-fault-matrix';

describeRedisFaults('open');
