// Shared setup for the LWC Jest suite: accessibility matchers (toBeAccessible) from @sa11y/jest.
const { registerSa11yMatcher } = require('@sa11y/jest');

registerSa11yMatcher();
