/*
 * Alertsify's service worker: shows the web pushes the server sends (PRODUCT.md §4) and opens
 * the page a notification is about when it is clicked. Nothing is cached: the app always loads
 * from the server.
 */
self.addEventListener('install', () => {
  self.skipWaiting();
});

self.addEventListener('activate', (event) => {
  event.waitUntil(self.clients.claim());
});

function readMessage(event) {
  try {
    return event.data ? event.data.json() : null;
  } catch {
    return null;
  }
}

self.addEventListener('push', (event) => {
  const message = readMessage(event) ?? {};
  event.waitUntil(
    self.registration.showNotification(message.title || 'Alertsify', {
      body: message.body || '',
      tag: message.notificationId || 'alertsify',
      data: { url: message.url || '/notifications' },
    }),
  );
});

self.addEventListener('notificationclick', (event) => {
  event.notification.close();
  const path = event.notification.data?.url || '/';
  // Only paths of this app are opened.
  const target = new URL(path.startsWith('/') && !path.startsWith('//') ? path : '/', self.location.origin);
  event.waitUntil(
    self.clients.matchAll({ type: 'window', includeUncontrolled: true }).then((windows) => {
      for (const client of windows) {
        if (new URL(client.url).origin === target.origin && 'navigate' in client) {
          return client.focus().then(() => client.navigate(target.href));
        }
      }
      return self.clients.openWindow(target.href);
    }),
  );
});
