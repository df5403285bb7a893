/**
 * Jest mock of lightning/empApi with a control object (`empApiMock`) so tests can switch EMP off,
 * make subscribe fail, and push events or errors into the component's callbacks.
 */
let empEnabled = true;
let subscribeError;
let errorCallback;
const subscriptions = new Map();

export const isEmpEnabled = jest.fn(() => Promise.resolve(empEnabled));
export const setDebugFlag = jest.fn(() => Promise.resolve());
export const onError = jest.fn((callback) => {
    errorCallback = callback;
});
export const subscribe = jest.fn((channel, replayId, callback) => {
    if (subscribeError) {
        return Promise.reject(subscribeError);
    }
    subscriptions.set(channel, callback);
    return Promise.resolve({ channel, replayId, id: channel });
});
export const unsubscribe = jest.fn((subscription, callback) => {
    if (subscription) {
        subscriptions.delete(subscription.channel);
    }
    if (callback) {
        callback({ successful: true });
    }
    return Promise.resolve(true);
});

export const empApiMock = {
    /** Back to enabled, no error, no subscriptions. */
    resetMock() {
        empEnabled = true;
        subscribeError = undefined;
        errorCallback = undefined;
        subscriptions.clear();
    },
    setMockEmpEnabled(enabled) {
        empEnabled = enabled;
    },
    setMockSubscribeError(error) {
        subscribeError = error;
    },
    /** Delivers `message` ({ channel, data: { payload } }) to the subscriber of its channel. */
    fireMockEvent(message) {
        const callback = subscriptions.get(message.channel);
        if (!callback) {
            throw new Error(`No subscription on ${message.channel}`);
        }
        callback(message);
    },
    fireMockError(error) {
        if (!errorCallback) {
            throw new Error('onError was not registered');
        }
        errorCallback(error);
    }
};
