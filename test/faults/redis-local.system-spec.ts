import { describeRedisFaults } from './redis-fault-matrix';

describeRedisFaults('local');
