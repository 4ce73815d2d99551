/** Asia/Seoul: reminders are scheduled and dates shown in Korea time. */
export const KOREA_TZ = 'Asia/Seoul';
