import type { BannerIcon } from '../../../core/panel/index.js';

/**
 * The state banner's icons: inline SVG (no icon font, no emoji font needed), hidden from screen
 * readers since the word beside them says the same.
 */
const PATHS: Record<BannerIcon, string> = {
  // A hollow circle: not logged in.
  off: 'M12 3a9 9 0 1 0 0 18a9 9 0 1 0 0-18zm0 3a6 6 0 1 1 0 12a6 6 0 1 1 0-12z',
  // Two bars.
  pause: 'M7 5h3.5v14H7zM13.5 5H17v14h-3.5z',
  // A tick in a disc.
  check:
    'M12 2a10 10 0 1 0 0 20a10 10 0 1 0 0-20zm-1.4 14.2L6.3 12l1.5-1.5l2.8 2.8l5.6-5.6l1.5 1.5z',
  // A handset with waves: a call being connected.
  ring: 'M6.6 10.8a15 15 0 0 0 6.6 6.6l2.2-2.2a1 1 0 0 1 1-.25a11.4 11.4 0 0 0 3.6.6a1 1 0 0 1 1 1V20a1 1 0 0 1-1 1A17 17 0 0 1 3 4a1 1 0 0 1 1-1h3.5a1 1 0 0 1 1 1a11.4 11.4 0 0 0 .6 3.6a1 1 0 0 1-.25 1zM14 3a7 7 0 0 1 7 7h-2a5 5 0 0 0-5-5z',
  // A handset.
  phone:
    'M6.6 10.8a15 15 0 0 0 6.6 6.6l2.2-2.2a1 1 0 0 1 1-.25a11.4 11.4 0 0 0 3.6.6a1 1 0 0 1 1 1V20a1 1 0 0 1-1 1A17 17 0 0 1 3 4a1 1 0 0 1 1-1h3.5a1 1 0 0 1 1 1a11.4 11.4 0 0 0 .6 3.6a1 1 0 0 1-.25 1z',
  // An hourglass: the customer waits.
  hold: 'M6 2h12v5l-4 5l4 5v5H6v-5l4-5l-4-5zm2 2v2.3L12 11l4-4.7V4z',
  // A cross in a disc: the call is over.
  ended:
    'M12 2a10 10 0 1 0 0 20a10 10 0 1 0 0-20zm3.5 5L17 8.5L13.4 12l3.6 3.5L15.5 17L12 13.4L8.5 17L7 15.5l3.6-3.5L7 8.5L8.5 7l3.5 3.6z',
  // A pencil: the disposition is being written.
  wrap: 'M3 17.2V21h3.8L17.8 10l-3.8-3.8zM20.7 7a1 1 0 0 0 0-1.4l-2.3-2.3a1 1 0 0 0-1.4 0l-1.8 1.8l3.8 3.8z',
};

export function StateIcon({ icon }: { icon: BannerIcon }) {
  return (
    <svg
      className="state-icon"
      viewBox="0 0 24 24"
      width="22"
      height="22"
      aria-hidden="true"
      focusable="false"
      data-icon={icon}
    >
      <path fill="currentColor" fillRule="evenodd" d={PATHS[icon]} />
    </svg>
  );
}
