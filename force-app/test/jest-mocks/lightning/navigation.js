/**
 * Jest mock of lightning/navigation with a way to read what the component asked for.
 * The stub shipped with @salesforce/sfdx-lwc-jest records nothing.
 */
export const CurrentPageReference = jest.fn();

let navigatedTo;
let navigatedReplace;
let generatedFor;

const Navigate = Symbol('Navigate');
const GenerateUrl = Symbol('GenerateUrl');

export const NavigationMixin = (Base) =>
    class extends Base {
        [Navigate](pageReference, replace) {
            navigatedTo = pageReference;
            navigatedReplace = replace;
        }

        [GenerateUrl](pageReference) {
            generatedFor = pageReference;
            return Promise.resolve(
                'https://statisfy.example.com/lightning/r/' + (pageReference?.attributes?.recordId ?? '')
            );
        }
    };
NavigationMixin.Navigate = Navigate;
NavigationMixin.GenerateUrl = GenerateUrl;

/** The last page reference passed to `this[NavigationMixin.Navigate]`. */
export const getNavigateCalledWith = () => ({ pageReference: navigatedTo, replace: navigatedReplace });

/** The last page reference passed to `this[NavigationMixin.GenerateUrl]`. */
export const getGenerateUrlCalledWith = () => ({ pageReference: generatedFor });

/** Forget recorded calls (call from afterEach). */
export const resetNavigationMock = () => {
    navigatedTo = undefined;
    navigatedReplace = undefined;
    generatedFor = undefined;
};
