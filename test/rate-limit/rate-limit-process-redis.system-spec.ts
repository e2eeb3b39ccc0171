import { describeRateLimitProcess } from './rate-limit-process';

describeRateLimitProcess('redis');
