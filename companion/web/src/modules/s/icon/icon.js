import { LightningElement, api } from 'lwc';

/**
 * An SLDS icon from the sprites served under /assets/icons (`name` is "category:name", e.g. "utility:edit").
 * Decorative unless `label` is given.
 */
export default class Icon extends LightningElement {
    static renderMode = 'light';
    @api name = 'utility:info';
    @api size = 'x-small';
    @api variant = '';
    @api label = '';
    @api container = false;

    get href() {
        const [category, icon] = String(this.name).split(':');
        return `/assets/icons/${category}-sprite/svg/symbols.svg#${icon}`;
    }

    get isUtility() {
        return String(this.name).startsWith('utility:');
    }

    get containerClass() {
        const [category, icon] = String(this.name).split(':');
        return `slds-icon_container slds-icon-${category}-${icon.replace(/_/g, '-')}`;
    }

    get svgClass() {
        const parts = ['slds-icon', `slds-icon_${this.size}`];
        if (this.isUtility && !this.variant) parts.push('slds-icon-text-default');
        if (this.variant && this.variant !== 'inverse') parts.push(`slds-icon-text-${this.variant}`);
        return parts.join(' ');
    }

    get hasLabel() {
        return !!this.label;
    }
}
