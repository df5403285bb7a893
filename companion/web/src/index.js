/** Entry of the Statisfy web app: mounts the app shell. */
import { createElement } from 'lwc';
import App from 's/app';

// The page's mount point, outside any component.
// eslint-disable-next-line @lwc/lwc/no-document-query
document.getElementById('root').appendChild(createElement('s-app', { is: App }));
