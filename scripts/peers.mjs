// The real peers the interop tests drive, with the Debian packages that provide them.
export const PEERS = [
  { name: 'kamailio', binaries: ['/usr/sbin/kamailio'], packages: ['kamailio', 'kamailio-tls-modules', 'kamailio-utils-modules'] },
  { name: 'sipp', binaries: ['/usr/bin/sipp'], packages: ['sip-tester'] },
  { name: 'dnsmasq', binaries: ['/usr/sbin/dnsmasq'], packages: ['dnsmasq-base'] },
  { name: 'openssl', binaries: ['/usr/bin/openssl'], packages: ['openssl'] },
];
