/**
 * Keyboard behaviour shared by the app's modal dialogs (WAI-ARIA dialog pattern): Tab and Shift+Tab stay inside
 * the dialog.
 */

/** On Tab, wraps focus from the last focusable element of `container` to the first and back. */
export function trapFocus(event, container) {
    if (event.key !== 'Tab' || !container) return;
    const focusable = [
        ...container.querySelectorAll('input, select, button, textarea, a[href], [tabindex="0"]')
    ].filter((el) => !el.disabled && el.offsetParent !== null);
    if (!focusable.length) return;
    const first = focusable[0];
    const last = focusable[focusable.length - 1];
    const active = document.activeElement;
    if (event.shiftKey && active === first) {
        event.preventDefault();
        last.focus();
    } else if (!event.shiftKey && active === last) {
        event.preventDefault();
        first.focus();
    }
}
